/**
 * A fake CCCC daemon for tests and the demo sandbox: listens on a unix socket and/or TCP on 127.0.0.1 inside a
 * temporary CCCC_HOME, writes `daemon/ccccd.addr.json`, and serves the operations the
 * bridge uses with CCCC's shapes and error codes over its wire protocol (one NDJSON request
 * per connection). Groups live in memory and on disk (group.yaml, ledger.jsonl, state/).
 *
 * Controls (tests, demo agents): agents speaking, notifications, streams, ledger rotation, daemon
 * stop/restart, a log of the requests received, and a request hook where tests plug in fault
 * injection (test/fakes/cccc/faults.ts; it never ships in the app).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chatStreamData, cccTimestamp, systemNotifyData, type LedgerEvent, type LedgerWriter } from './ledger';
import { FakeGroup, OpError, type FakeGroupInit } from './fake-group';
import type { ThreadId } from '../../core/cccc/im-state/schemas';
import { ImFiles } from './fake-im';
import { HANDLERS, MAIN_BRANCH_HANDLERS, sendMessage, type OpContext } from './fake-ops';

export type FakeTransport = 'unix' | 'tcp';

export interface FakeDaemonOptions {
  /** An existing CCCC_HOME; by default a new temporary one, removed by close(). */
  home?: string;
  /** Which listeners to open. Default `unix`. */
  transport?: FakeTransport | 'both';
  /** What addr.json announces; `none` writes no descriptor. Default: the (first) transport. */
  advertise?: FakeTransport | 'none';
  /** Host written into a TCP descriptor (e.g. `0.0.0.0`, which clients must map to loopback). */
  advertisedHost?: string;
  version?: string;
  /** How long a connection may take to send its request line (CCCC: 0.5 s). */
  readTimeoutMs?: number;
  /**
   * Which CCCC it plays: `main` (the main branch: `inbox_peek`, `reply_request_cancel`,
   * `runtime.delivery` evidence) or `release` (0.4.35rc1, which has none of them and reports the
   * same version). Default `main`.
   */
  flavor?: 'main' | 'release';
}

/**
 * How a request hook has one request mistreated. Test-only fault injection builds these
 * (test/fakes/cccc/faults.ts); the sandbox sets no hook.
 */
export interface Tampering {
  /** What the request log records (`LoggedRequest.fault`). */
  label: string;
  /** Close without answering before the operation runs. */
  dropBeforeHandling?: boolean;
  /** A daemon error answered instead of running the operation. */
  error?: { code: string; message: string; details: Record<string, unknown> };
  /** Wait this long before answering (cut short when the daemon stops). */
  delayMs?: number;
  /** Written instead of the answer (the operation took effect); null closes without an answer. */
  reply?: string | null;
}

export type RequestHook = (op: string) => Tampering | undefined;

export interface LoggedRequest {
  op: string;
  args: Record<string, unknown>;
  at: number;
  transport: FakeTransport;
  /** Which tampering hit it, if any (Tampering.label). */
  fault?: string;
}

interface GroupOption {
  /** Group id; the first group created when absent. */
  group?: string;
}

const MAX_REQUEST_BYTES = 2_000_000;

/** CCCC validates the envelope with pydantic and reports its first complaint in that style. */
function envelopeOf(raw: unknown): { op: string; args: Record<string, unknown> } | { error: string } {
  const complaint = (field: string, message: string, type: string): { error: string } => ({
    error: `1 validation error for DaemonRequest\n${field}\n  ${message} [type=${type}]`,
  });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return complaint('op', 'Field required', 'missing');
  const r = raw as Record<string, unknown>;
  const extra = Object.keys(r).find((k) => !['v', 'op', 'args'].includes(k));
  if (extra) return complaint(extra, 'Extra inputs are not permitted', 'extra_forbidden');
  if (r['op'] === undefined) return complaint('op', 'Field required', 'missing');
  if (typeof r['op'] !== 'string') return complaint('op', 'Input should be a valid string', 'string_type');
  if (r['v'] !== undefined && !Number.isInteger(r['v'])) return complaint('v', 'Input should be a valid integer', 'int_type');
  const args = r['args'] ?? {};
  if (!args || typeof args !== 'object' || Array.isArray(args)) return complaint('args', 'Input should be a valid dictionary', 'dict_type');
  return { op: r['op'], args: args as Record<string, unknown> };
}

export class FakeCcccDaemon {
  readonly home: string;
  readonly groupsDir: string;
  readonly version: string;
  private readonly ownsHome: boolean;
  private readonly transports: FakeTransport[];
  private readonly advertise: FakeTransport | 'none';
  private readonly advertisedHost: string;
  private readonly readTimeoutMs: number;
  readonly flavor: 'main' | 'release';
  private readonly groupMap = new Map<string, FakeGroup>();
  private servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Cut short injected delays when the daemon stops. */
  private readonly wakers = new Set<() => void>();
  private readonly inflight = new Set<Promise<void>>();
  private log: LoggedRequest[] = [];
  private requestHook: RequestHook | undefined;
  private currentPid = 0;
  private tcpPort = 0;
  private up = false;

  protected constructor(home: string, ownsHome: boolean, options: FakeDaemonOptions) {
    this.home = home;
    this.ownsHome = ownsHome;
    this.groupsDir = path.join(home, 'groups');
    this.version = options.version ?? '0.4.35-fake';
    const t = options.transport ?? 'unix';
    this.transports = t === 'both' ? ['unix', 'tcp'] : [t];
    this.advertise = options.advertise ?? this.transports[0]!;
    this.advertisedHost = options.advertisedHost ?? '127.0.0.1';
    this.readTimeoutMs = options.readTimeoutMs ?? 500;
    this.flavor = options.flavor ?? 'main';
  }

  static async start(options: FakeDaemonOptions = {}): Promise<FakeCcccDaemon> {
    const home = options.home ?? (await mkdtemp(path.join(tmpdir(), 'cccc-home-')));
    // `this`: a subclass (the tests' fault-injecting daemon) starts as itself.
    const daemon = new this(home, options.home === undefined, options);
    await mkdir(daemon.groupsDir, { recursive: true });
    await daemon.listen();
    return daemon;
  }

  // ---- where it is ----------------------------------------------------------------------

  get daemonDir(): string {
    return path.join(this.home, 'daemon');
  }

  get socketPath(): string {
    return path.join(this.daemonDir, 'ccccd.sock');
  }

  get descriptorPath(): string {
    return path.join(this.daemonDir, 'ccccd.addr.json');
  }

  /** The TCP port, when listening on TCP. */
  get port(): number {
    return this.tcpPort;
  }

  get pid(): number {
    return this.currentPid;
  }

  get running(): boolean {
    return this.up;
  }

  // ---- lifecycle ------------------------------------------------------------------------

  private async listen(): Promise<void> {
    await mkdir(this.daemonDir, { recursive: true });
    this.currentPid = randomInt(10_000, 4_000_000);
    for (const transport of this.transports) {
      const server = net.createServer((socket) => this.accept(socket, transport));
      if (transport === 'unix') {
        await rm(this.socketPath, { force: true });
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.socketPath, () => resolve());
        });
      } else {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve());
        });
        this.tcpPort = (server.address() as net.AddressInfo).port;
      }
      this.servers.push(server);
    }
    this.up = true;
    if (this.advertise !== 'none') await this.writeDescriptor(this.advertise);
  }

  private async writeDescriptor(transport: FakeTransport): Promise<void> {
    const descriptor = {
      v: 1,
      transport,
      path: transport === 'unix' ? this.socketPath : '',
      host: transport === 'tcp' ? this.advertisedHost : '',
      port: transport === 'tcp' ? this.tcpPort : 0,
      pid: this.currentPid,
      version: this.version,
      ts: cccTimestamp(),
    };
    const tmp = `${this.descriptorPath}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(descriptor, null, 2), 'utf8');
    await rename(tmp, this.descriptorPath);
  }

  /** Stops listening as CCCC's shutdown does: connections dropped, descriptor and socket removed. */
  async stopDaemon(): Promise<void> {
    this.up = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const wake of [...this.wakers]) wake();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    // Let handlers already running finish their file writes before the home may go away.
    await Promise.all([...this.inflight]);
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.tcpPort = 0;
    await rm(this.descriptorPath, { force: true });
    await rm(this.socketPath, { force: true });
  }

  /** A new daemon process on the same home: new pid, new listeners (a new TCP port). */
  async restart(): Promise<void> {
    if (this.up) await this.stopDaemon();
    await this.listen();
  }

  async close(): Promise<void> {
    await this.stopDaemon();
    if (this.ownsHome) await rm(this.home, { recursive: true, force: true });
  }

  // ---- the request hook and the request log -----------------------------------------------

  protected setRequestHook(hook: RequestHook | undefined): void {
    this.requestHook = hook;
  }

  requests(): LoggedRequest[] {
    return this.log.map((r) => ({ ...r }));
  }

  clearRequests(): void {
    this.log = [];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  // ---- the wire ---------------------------------------------------------------------------

  private accept(socket: net.Socket, transport: FakeTransport): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    let taken = false;
    // Like CCCC: a connection that does not send its request line in time is dropped.
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!taken) socket.destroy();
    }, this.readTimeoutMs);
    this.timers.add(timer);
    const take = (line: string): void => {
      if (taken) return;
      taken = true;
      clearTimeout(timer);
      this.timers.delete(timer);
      const work = this.respond(socket, line, transport)
        .catch(() => {
          socket.destroy();
        })
        .finally(() => this.inflight.delete(work));
      this.inflight.add(work);
    };
    socket.on('data', (chunk: Buffer) => {
      if (taken) return;
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(0x0a);
      if (nl >= 0) take(buf.subarray(0, nl).toString('utf8'));
      else if (buf.length > MAX_REQUEST_BYTES) take(buf.toString('utf8'));
    });
    socket.once('end', () => take(buf.toString('utf8')));
  }

  private async respond(socket: net.Socket, line: string, transport: FakeTransport): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      raw = {};
    }
    const envelope = envelopeOf(raw);
    if ('error' in envelope) {
      this.log.push({ op: '', args: {}, at: Date.now(), transport });
      this.answer(socket, { v: 1, ok: false, result: {}, error: { code: 'invalid_request', message: 'invalid request', details: { error: envelope.error } } });
      return;
    }
    const tampering = this.requestHook?.(envelope.op);
    const entry: LoggedRequest = { op: envelope.op, args: envelope.args, at: Date.now(), transport };
    if (tampering) entry.fault = tampering.label;
    this.log.push(entry);
    if (tampering?.dropBeforeHandling) {
      socket.destroy();
      return;
    }
    const response = tampering?.error ? { v: 1, ok: false, result: {}, error: tampering.error } : await this.dispatch(envelope.op, envelope.args);
    if (tampering?.delayMs) await this.sleep(tampering.delayMs);
    if (socket.destroyed) return;
    if (tampering?.reply === null) socket.destroy();
    else if (tampering?.reply !== undefined) socket.end(tampering.reply);
    else this.answer(socket, response);
  }

  private async dispatch(op: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const handler = HANDLERS[op] ?? (this.flavor === 'main' ? MAIN_BRANCH_HANDLERS[op] : undefined);
    if (!handler) return { v: 1, ok: false, result: {}, error: { code: 'unknown_op', message: `unknown op: ${op}`, details: {} } };
    try {
      return { v: 1, ok: true, result: await handler(this.context(), args), error: null };
    } catch (err) {
      if (err instanceof OpError) return { v: 1, ok: false, result: {}, error: { code: err.code, message: err.message, details: err.details } };
      const message = err instanceof Error ? err.message : String(err);
      return { v: 1, ok: false, result: {}, error: { code: 'internal_error', message: `internal error: ${message}`, details: {} } };
    }
  }

  private answer(socket: net.Socket, body: Record<string, unknown>): void {
    socket.end(JSON.stringify(body) + '\n');
  }

  private context(): OpContext {
    return { groups: this.groupMap, pid: this.currentPid, version: this.version };
  }

  // ---- groups and test controls -----------------------------------------------------------

  async createGroup(init: FakeGroupInit = {}): Promise<string> {
    const group = await FakeGroup.create(this.groupsDir, { deliveryEvents: this.flavor === 'main', ...init });
    this.groupMap.set(group.id, group);
    return group.id;
  }

  group(id?: string): FakeGroup {
    const group = id ? this.groupMap.get(id) : this.groupMap.values().next().value;
    if (!group) throw new Error(id ? `fake CCCC: no group ${id}` : 'fake CCCC: no group yet (createGroup first)');
    return group;
  }

  groupDir(id?: string): string {
    return this.group(id).dir;
  }

  ledger(id?: string): LedgerWriter {
    return this.group(id).ledger;
  }

  imFiles(id?: string): ImFiles {
    return new ImFiles(path.join(this.group(id).dir, 'state'));
  }

  /** What a bridge writes on `/subscribe`: a pending key for this chat. */
  addPendingKey(chatId: string, options: GroupOption & { threadId?: ThreadId; platform?: string; key?: string; createdAt?: number } = {}): Promise<string> {
    return this.imFiles(options.group).addPending(chatId, options);
  }

  /**
   * An agent's chat message, validated and written as `send` with `by: <actor>` would be;
   * `requestReply` sends it as `message_mode: "request_reply"` (the agent waits for an answer);
   * `streamId` makes it the final message of a stream (CCCC links them by `stream_id`).
   */
  async speak(
    actorId: string,
    text: string,
    options: GroupOption & { to?: string[]; attachments?: unknown[]; replyTo?: string; requestReply?: boolean; streamId?: string } = {},
  ): Promise<LedgerEvent> {
    const group = this.group(options.group);
    const result = await sendMessage(this.context(), {
      group_id: group.id,
      by: actorId,
      text,
      to: options.to ?? ['user'],
      message_mode: options.requestReply ? 'request_reply' : 'send',
      attachments: options.attachments ?? [],
      ...(options.replyTo ? { reply_to: options.replyTo } : {}),
      ...(options.streamId ? { stream_id: options.streamId } : {}),
    });
    return result['event'] as LedgerEvent;
  }

  /** An agent (or the user) withdraws a reply request, as CCCC's `reply_request_cancel` does. */
  async cancelReplyRequest(sourceEventId: string, options: GroupOption & { by?: string } = {}): Promise<LedgerEvent> {
    return (await this.group(options.group).cancelReplyRequest(sourceEventId, options.by ?? 'user')).event;
  }

  /** A `system.notify` event (CCCC's default visibility is internal). */
  notify(
    message: string,
    options: GroupOption & { visibility?: 'public' | 'internal'; title?: string; kind?: string; priority?: string; targetActorId?: string } = {},
  ): Promise<LedgerEvent> {
    return this.group(options.group).appendEvent(
      'system.notify',
      'system',
      systemNotifyData(message, {
        kind: options.kind ?? 'info',
        priority: options.priority ?? 'normal',
        title: options.title ?? '',
        target_actor_id: options.targetActorId ?? null,
        im_visibility: options.visibility ?? 'internal',
      }),
    );
  }

  /** A `chat.stream` event; `start` opens a new stream id unless one is given. */
  stream(
    actorId: string,
    options: GroupOption & { op?: 'start' | 'update' | 'end'; text?: string; streamId?: string; to?: string[]; seq?: number } = {},
  ): Promise<LedgerEvent> {
    const group = this.group(options.group);
    const op = options.op ?? 'start';
    const streamId = options.streamId ?? (op === 'start' ? randomBytes(16).toString('hex') : '');
    if (!streamId) throw new Error('fake CCCC: stream update/end needs a streamId');
    const title = group.actor(actorId)?.title.trim();
    return group.appendEvent(
      'chat.stream',
      actorId,
      chatStreamData(streamId, op, options.text ?? '', { seq: options.seq ?? 0, to: options.to ?? [], sender_title: title || null }),
      group.scopeKey,
    );
  }

  /** Moves the active ledger into segments, as CCCC does past ~5 MB. */
  rotateLedger(options: GroupOption & { gzip?: boolean } = {}): Promise<string> {
    return this.group(options.group).ledger.rotate(options.gzip === undefined ? {} : { gzip: options.gzip });
  }
}
