/**
 * DingTalk OpenAPI for the bridge's outbound side (docs/dingtalk-protocol.md §4–5): robot sends to groups,
 * single chats and session webhooks; file download and media upload. Every failure is a
 * BridgeError with a user-facing message and hint; an expired token is refreshed once.
 */
import { Transform, type Readable } from 'node:stream';
import { Blob } from 'node:buffer';
import { z } from 'zod';
import { BridgeError, type Problem } from '../errors';
import { silentLogger, type Logger } from '../log/logger';
import { AccessTokenProvider } from './access-token';
import { isAllowedWebhook, type DingTalkCredentials, type DingTalkEndpoints } from './endpoints';
import { requestJson, send, type CallCounter } from './http';
import { checkUpload, type MediaType } from './media-rules';
import { toOpenApiPayload, toWebhookBody, webhookCanSend, type OutboundMessage, type WebhookMention } from './outbound-message';

export interface DingTalkApiOptions {
  credentials: DingTalkCredentials;
  endpoints: DingTalkEndpoints;
  logger?: Logger;
  tokens?: AccessTokenProvider;
  timeoutMs?: number;
  /** Counts every request, the token's included (core/bridge/api-usage/). */
  counter?: CallCounter;
}

const groupAnswer = z.object({ processQueryKey: z.string().optional() }).passthrough();
const otoAnswer = z
  .object({
    processQueryKey: z.string().optional(),
    invalidStaffIdList: z.array(z.string()).optional(),
    flowControlledStaffIdList: z.array(z.string()).optional(),
  })
  .passthrough();
const downloadAnswer = z.object({ downloadUrl: z.string().url() });
const uploadAnswer = z.object({ errcode: z.literal(0), media_id: z.string().min(1), type: z.string().optional() });

export interface Download {
  body: Readable;
  /** From Content-Length, when DingTalk sends it. */
  bytes?: number;
  contentType?: string;
}

export const MAX_USER_IDS_PER_SEND = 20;

/** Not a conversation id DingTalk can have (they start with `cid`). */
const PERMISSION_PROBE_CONVERSATION = 'cccc-permission-probe';

function badAnswer(api: string): BridgeError {
  return new BridgeError({ code: 'dingtalk.bad_answer', message: `DingTalk sent an unexpected answer to ${api}`, retryable: true });
}

function tooLarge(maxBytes: number): BridgeError {
  return new BridgeError({
    code: 'dingtalk.file_too_large',
    message: `The file is larger than the ${(maxBytes / 1024 / 1024).toFixed(0)} MB limit`,
    hint: 'Raise the file size limit in Settings, or share the file another way.',
    retryable: false,
    details: { maxBytes },
  });
}

export class DingTalkApi {
  readonly tokens: AccessTokenProvider;
  private readonly log: Logger;
  readonly robotCode: string;

  constructor(private readonly options: DingTalkApiOptions) {
    this.tokens = options.tokens ?? new AccessTokenProvider(options.credentials, options.endpoints, { counter: options.counter });
    this.log = (options.logger ?? silentLogger).child('openapi');
    this.robotCode = options.credentials.robotCode || options.credentials.appKey;
  }

  /** Proves the AppKey/AppSecret pair by getting a token. */
  async checkCredentials(): Promise<void> {
    this.tokens.invalidate();
    await this.tokens.get();
  }

  async sendToGroup(openConversationId: string, message: OutboundMessage): Promise<{ processQueryKey?: string }> {
    const body = await this.v1('groupMessages.send', '/v1.0/robot/groupMessages/send', {
      robotCode: this.robotCode,
      openConversationId,
      ...toOpenApiPayload(message),
    });
    const parsed = groupAnswer.safeParse(body);
    if (!parsed.success) throw badAnswer('groupMessages.send');
    return parsed.data.processQueryKey ? { processQueryKey: parsed.data.processQueryKey } : {};
  }

  /**
   * Single-chat send. DingTalk answers 200 even when it did not deliver: users in
   * `invalidStaffIdList` or `flowControlledStaffIdList` did not get the message.
   */
  async sendToUsers(userIds: string[], message: OutboundMessage): Promise<{ processQueryKey?: string }> {
    if (userIds.length === 0 || userIds.length > MAX_USER_IDS_PER_SEND) {
      throw new RangeError(`sendToUsers takes 1 to ${MAX_USER_IDS_PER_SEND} user ids`);
    }
    const body = await this.v1('oToMessages.batchSend', '/v1.0/robot/oToMessages/batchSend', {
      robotCode: this.robotCode,
      userIds,
      ...toOpenApiPayload(message),
    });
    const parsed = otoAnswer.safeParse(body);
    if (!parsed.success) throw badAnswer('oToMessages.batchSend');
    const flow = parsed.data.flowControlledStaffIdList ?? [];
    const invalid = parsed.data.invalidStaffIdList ?? [];
    if (flow.length > 0) {
      throw new BridgeError({ code: 'dingtalk.rate_limited', message: 'Rate limited — will retry', retryable: true, details: { userIds: flow } });
    }
    if (invalid.length > 0) {
      throw new BridgeError({
        code: 'dingtalk.invalid_user',
        message: 'DingTalk did not deliver: the user cannot receive messages from this robot',
        hint: "Make sure the person is in the app's visibility range (可见范围) and still in the organisation.",
        retryable: false,
        details: { userIds: invalid },
      });
    }
    return parsed.data.processQueryKey ? { processQueryKey: parsed.data.processQueryKey } : {};
  }

  /**
   * Whether the app may send robot messages (qyapi_robot_sendmsg), without sending one: DingTalk
   * checks the permission before the parameters, so a send to a conversation that cannot exist
   * answers "no permission" when the permission is missing and a parameter error when it is not.
   */
  async probeSendPermission(): Promise<Problem | undefined> {
    try {
      await this.sendToGroup(PERMISSION_PROBE_CONVERSATION, { kind: 'text', content: ' ' });
      return undefined;
    } catch (err) {
      if (!(err instanceof BridgeError)) throw err;
      const setup = [
        'dingtalk.no_permission',
        'dingtalk.robot_not_found',
        'dingtalk.ip_not_whitelisted',
        'dingtalk.invalid_credentials',
        'dingtalk.quota_exhausted',
      ];
      if (setup.includes(err.code) || err.retryable) return err.toProblem();
      return undefined;
    }
  }

  /** Replies through a message's session webhook (no token; text, markdown, link and ActionCard only). */
  async sendViaWebhook(webhookUrl: string, message: OutboundMessage, at?: WebhookMention): Promise<void> {
    if (!webhookCanSend(message)) throw new RangeError(`A session webhook cannot send ${message.kind} messages`);
    if (!isAllowedWebhook(webhookUrl, this.options.endpoints)) {
      // Not retryable: the outbox sends through the OpenAPI instead.
      throw new BridgeError({
        code: 'dingtalk.webhook_not_allowed',
        message: "A message's reply address is not on DingTalk's host; replying through the OpenAPI instead",
        retryable: false,
        details: { host: new URL(webhookUrl).host },
      });
    }
    await requestJson({
      method: 'POST',
      url: webhookUrl,
      api: 'sessionWebhook',
      json: toWebhookBody(message, at),
      timeoutMs: this.options.timeoutMs,
      counter: this.options.counter,
    });
  }

  /**
   * Puts (or takes back) a text reaction such as "🤔思考中" on a person's message — undocumented
   * (docs/dingtalk-protocol.md §8), so callers treat it as best effort.
   */
  async setReaction(msgId: string, conversationId: string, on: boolean, text = '🤔思考中'): Promise<void> {
    const action = on ? 'reply' : 'recall';
    await this.v1(`emotion.${action}`, `/v1.0/robot/emotion/${action}`, {
      robotCode: this.robotCode,
      openMsgId: msgId,
      openConversationId: conversationId,
      emotionType: 2,
      emotionName: text,
      textEmotion: { emotionId: '2659900', emotionName: text, text, backgroundId: 'im_bg_1' },
    });
  }

  /** Exchanges a message's downloadCode for a short-lived URL (needs the robotCode the message came with). */
  async getDownloadUrl(downloadCode: string, robotCode = this.robotCode): Promise<string> {
    const body = await this.v1('messageFiles.download', '/v1.0/robot/messageFiles/download', { downloadCode, robotCode });
    const parsed = downloadAnswer.safeParse(body);
    if (!parsed.success) throw badAnswer('messageFiles.download');
    return parsed.data.downloadUrl;
  }

  /** Streams a file a user sent; fails as soon as it is known to exceed `maxBytes`. */
  async downloadFile(downloadCode: string, opts: { maxBytes: number; robotCode?: string; signal?: AbortSignal }): Promise<Download> {
    const url = await this.getDownloadUrl(downloadCode, opts.robotCode);
    const res = await send({
      method: 'GET',
      url,
      api: 'file download',
      timeoutMs: 120_000,
      counter: this.options.counter,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!res.ok) {
      res.body.destroy();
      throw new BridgeError({ code: 'dingtalk.download_failed', message: `Could not download the file (HTTP ${res.status})`, retryable: res.status >= 500 });
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      res.body.destroy();
      throw tooLarge(opts.maxBytes);
    }
    let seen = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        done(seen > opts.maxBytes ? tooLarge(opts.maxBytes) : null, chunk);
      },
    });
    const body = res.body;
    body.on('error', (err) => cap.destroy(err));
    const out: Download = { body: body.pipe(cap) };
    if (Number.isFinite(declared)) out.bytes = declared;
    const type = res.headers.get('content-type');
    if (type) out.contentType = type;
    return out;
  }

  /** Uploads a file for a file/image message; checks DingTalk's type and size rules first. */
  async uploadMedia(type: MediaType, fileName: string, data: Buffer): Promise<{ mediaId: string }> {
    const problem = checkUpload(type, fileName, data.length);
    if (problem) throw new BridgeError(problem);
    return this.withToken(async (token) => {
      const form = new FormData();
      form.append('media', new Blob([data]), fileName);
      const url = `${this.options.endpoints.oapiBase}/media/upload?access_token=${encodeURIComponent(token)}&type=${type}`;
      const body = await requestJson({ method: 'POST', url, api: 'media.upload', form, timeoutMs: 120_000, counter: this.options.counter });
      const parsed = uploadAnswer.safeParse(body);
      if (!parsed.success) throw badAnswer('media.upload');
      this.log.debug('Uploaded media', { type, bytes: data.length });
      return { mediaId: parsed.data.media_id };
    });
  }

  /**
   * One token-authenticated `/v1.0` call: JSON in, parsed JSON out, DingTalk's errors as
   * BridgeErrors. Other DingTalk modules (the card API) build on it.
   */
  v1(api: string, path: string, json: unknown, method: 'POST' | 'PUT' = 'POST'): Promise<unknown> {
    return this.withToken((token) =>
      requestJson({
        method,
        url: `${this.options.endpoints.apiBase}${path}`,
        api,
        json,
        headers: { 'x-acs-dingtalk-access-token': token },
        timeoutMs: this.options.timeoutMs,
        counter: this.options.counter,
      }),
    );
  }

  /** Runs `call` with a token; if DingTalk rejects the token, refreshes it and tries once more. */
  private async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.tokens.get();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof BridgeError) || err.code !== 'dingtalk.token_invalid') throw err;
      this.log.info('Access token rejected, refreshing once');
      this.tokens.invalidate(token);
      return call(await this.tokens.get());
    }
  }
}
