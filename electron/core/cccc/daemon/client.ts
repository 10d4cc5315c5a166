/**
 * Typed client for the CCCC daemon. Each call discovers the endpoint afresh (a restarted
 * daemon may listen elsewhere), opens one connection, and validates the answer.
 *
 * Retries: a failure before the request was written is always safe to repeat. After that,
 * only idempotent operations are repeated — reads, and `send` carrying a `client_id`, which
 * the daemon deduplicates on (by, client_id) and answers `replayed: true`.
 */
import { BridgeError } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { sleep } from '../../util/sleep';
import { discoverEndpoint, describeEndpoint, type Endpoint } from './endpoint';
import { badAnswer, fromDaemonError, fromTransport, invalidDescriptor, notRunning } from './errors';
import { resolveCcccHome, type HomeContext } from './home';
import {
  OPS,
  type ActorListResult,
  type ContextGetResult,
  type GroupShowResult,
  type GroupStartResult,
  type GroupStopResult,
  type GroupsResult,
  type ImBindChatResult,
  type ImListAuthorizedResult,
  type ImListPendingResult,
  type ImRejectPendingResult,
  type ImRevokeChatResult,
  type OpName,
  type OpResult,
  type PingResult,
  type SendArgs,
  type SendResult,
} from './ops';
import { encodeRequest, responseSchema } from './protocol';
import { exchange, TransportError } from './transport';

export interface DaemonClientOptions extends HomeContext {
  /** CCCC_HOME to use; resolved from the environment when absent. */
  home?: string;
  logger?: Logger;
  connectTimeoutMs?: number;
  /** Overrides of the per-operation answer timeouts. */
  timeouts?: Partial<Record<OpName, number>>;
  /** The reference client caps an answer line at ~4 MB. */
  maxResponseBytes?: number;
  /** The daemon stops reading at ~2 MB; stay clear of it. */
  maxRequestBytes?: number;
  /** Extra attempts when a retry is safe. */
  retries?: number;
  retryDelayMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  retries?: number;
}

interface RequestSpec extends CallOptions {
  idempotent: boolean;
  timeoutMs: number;
}

/** Retrying after the daemon saw the request is safe only for idempotent operations, and a timeout is not worth waiting out twice. */
function mayRetry(err: TransportError, idempotent: boolean): boolean {
  if (err.reason === 'access' || err.reason === 'aborted' || err.reason === 'too_large') return false;
  if (!err.written) return true;
  return idempotent && err.reason !== 'timeout';
}

function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export class DaemonClient {
  readonly home: string;
  private readonly platform: NodeJS.Platform;
  private readonly log: Logger;
  private readonly connectTimeoutMs: number;
  private readonly timeouts: Partial<Record<OpName, number>>;
  private readonly maxResponseBytes: number;
  private readonly maxRequestBytes: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(options: DaemonClientOptions = {}) {
    this.platform = options.platform ?? process.platform;
    this.home = options.home ?? resolveCcccHome(options);
    this.log = (options.logger ?? silentLogger).child('cccc.daemon');
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2_000;
    this.timeouts = options.timeouts ?? {};
    this.maxResponseBytes = options.maxResponseBytes ?? 4_000_000;
    this.maxRequestBytes = options.maxRequestBytes ?? 1_900_000;
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 150;
  }

  /** Where the daemon is expected right now. */
  async endpoint(): Promise<Endpoint> {
    const found = await discoverEndpoint(this.home, this.platform);
    if (found.ok) {
      if (found.descriptorProblem) this.log.warn('daemon descriptor unusable, trying the default socket', { problem: found.descriptorProblem });
      return found.endpoint;
    }
    throw found.reason === 'missing' ? notRunning(undefined, `no ${found.descriptorPath}`) : invalidDescriptor(found.descriptorPath, found.detail);
  }

  /**
   * One operation, answered by its raw `result` object. Typed wrappers below validate it;
   * this stays public for operations the bridge does not model.
   */
  async request(op: string, args: Record<string, unknown>, spec: RequestSpec): Promise<Record<string, unknown>> {
    const line = encodeRequest(op, args);
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > this.maxRequestBytes) {
      throw new BridgeError({
        code: 'cccc.request_too_large',
        message: `The \`${op}\` request is too large for CCCC (${bytes} bytes)`,
        hint: 'Send long text as a file instead.',
        retryable: false,
        details: { op, bytes },
      });
    }
    const retries = spec.retries ?? this.retries;
    const groupId = typeof args['group_id'] === 'string' ? args['group_id'] : undefined;
    for (let attempt = 0; ; attempt += 1) {
      let endpoint: Endpoint;
      try {
        endpoint = await this.endpoint();
      } catch (err) {
        // No descriptor yet may just mean the daemon is starting; nothing was sent.
        if (attempt < retries && !spec.signal?.aborted) {
          await sleep(this.retryDelayMs * 2 ** attempt, spec.signal);
          continue;
        }
        throw err;
      }
      const started = Date.now();
      let answer: string;
      try {
        answer = await exchange(endpoint, line, {
          timeoutMs: spec.timeoutMs,
          connectTimeoutMs: this.connectTimeoutMs,
          maxResponseBytes: this.maxResponseBytes,
          ...(spec.signal ? { signal: spec.signal } : {}),
        });
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        if (attempt < retries && mayRetry(err, spec.idempotent) && !spec.signal?.aborted) {
          this.log.debug('daemon request failed, retrying', { op, attempt, reason: err.reason, phase: err.phase, written: err.written });
          await sleep(this.retryDelayMs * 2 ** attempt, spec.signal);
          continue;
        }
        const problem = fromTransport(err, op, endpoint, spec.timeoutMs, spec.idempotent);
        this.log.debug('daemon request failed', { op, code: problem.code, phase: err.phase, written: err.written, endpoint: describeEndpoint(endpoint) });
        throw problem;
      }
      this.log.debug('daemon answered', { op, ms: Date.now() - started, attempt });
      return this.decode(op, answer, groupId);
    }
  }

  private decode(op: string, answer: string, groupId: string | undefined): Record<string, unknown> {
    let raw: unknown;
    try {
      raw = JSON.parse(answer);
    } catch {
      throw badAnswer(op, 'not JSON');
    }
    const parsed = responseSchema.safeParse(raw);
    if (!parsed.success)
      throw badAnswer(op, 'not a v1 response envelope', { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) });
    const response = parsed.data;
    if (!response.ok) {
      if (!response.error) throw badAnswer(op, 'failure without an error');
      throw fromDaemonError(response.error, op, groupId);
    }
    return response.result;
  }

  /** A modelled operation with its limits and its validated result. */
  async call<O extends OpName>(op: O, args: Record<string, unknown>, options: CallOptions & { idempotent?: boolean } = {}): Promise<OpResult<O>> {
    const def = OPS[op];
    const result = await this.request(op, args, {
      ...options,
      idempotent: options.idempotent ?? def.idempotent,
      timeoutMs: options.timeoutMs ?? this.timeouts[op] ?? def.timeoutMs,
    });
    const parsed = def.schema.safeParse(result);
    if (!parsed.success) {
      throw badAnswer(op, 'unexpected result', { issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) });
    }
    return parsed.data as OpResult<O>;
  }

  ping(options?: CallOptions): Promise<PingResult> {
    return this.call('ping', {}, options);
  }

  groups(options?: CallOptions): Promise<GroupsResult> {
    return this.call('groups', {}, options);
  }

  groupShow(groupId: string, options?: CallOptions): Promise<GroupShowResult> {
    return this.call('group_show', { group_id: groupId }, options);
  }

  actorList(groupId: string, options?: CallOptions): Promise<ActorListResult> {
    return this.call('actor_list', { group_id: groupId }, options);
  }

  contextGet(groupId: string, options?: CallOptions): Promise<ContextGetResult> {
    return this.call('context_get', { group_id: groupId }, options);
  }

  groupStart(groupId: string, options?: CallOptions): Promise<GroupStartResult> {
    return this.call('group_start', { group_id: groupId, by: 'user' }, options);
  }

  groupStop(groupId: string, options?: CallOptions): Promise<GroupStopResult> {
    return this.call('group_stop', { group_id: groupId, by: 'user' }, options);
  }

  /** A message into the group. With a `client_id` a lost answer is retried safely. */
  send(args: SendArgs, options?: CallOptions): Promise<SendResult> {
    const clientId = args.client_id?.trim();
    const body = compact({
      group_id: args.group_id,
      text: args.text,
      by: args.by ?? 'user',
      to: args.to ?? [],
      message_mode: args.message_mode ?? 'send',
      path: args.path,
      attachments: args.attachments ?? [],
      reply_to: args.reply_to,
      client_id: clientId || undefined,
      source_platform: args.source_platform,
      source_user_name: args.source_user_name,
      source_user_id: args.source_user_id,
      mention_user_ids: args.mention_user_ids,
    });
    return this.call('send', body, { ...options, idempotent: Boolean(clientId) });
  }

  imBindChat(groupId: string, key: string, options?: CallOptions): Promise<ImBindChatResult> {
    return this.call('im_bind_chat', { group_id: groupId, key }, options);
  }

  imListPending(groupId: string, options?: CallOptions): Promise<ImListPendingResult> {
    return this.call('im_list_pending', { group_id: groupId }, options);
  }

  imRejectPending(groupId: string, key: string, options?: CallOptions): Promise<ImRejectPendingResult> {
    return this.call('im_reject_pending', { group_id: groupId, key }, options);
  }

  imListAuthorized(groupId: string, options?: CallOptions): Promise<ImListAuthorizedResult> {
    return this.call('im_list_authorized', { group_id: groupId }, options);
  }

  imRevokeChat(groupId: string, chatId: string, threadId: number | string = 0, options?: CallOptions): Promise<ImRevokeChatResult> {
    return this.call('im_revoke_chat', { group_id: groupId, chat_id: chatId, thread_id: threadId }, options);
  }
}
