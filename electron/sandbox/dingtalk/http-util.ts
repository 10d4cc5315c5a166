/** Small HTTP helpers: reading bodies, the reply value every route returns, JSON parsing. */
import type { IncomingMessage } from 'node:http';
import type { LegacyError, V1Error } from './errors';

export interface Reply {
  status: number;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body: unknown;
  headers?: Record<string, string>;
  /** API name for the request log. */
  api: string;
  appKey?: string;
  /** Error code for the request log. */
  code?: string | number;
}

export interface RouteContext {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`body over ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function v1Reply(api: string, err: V1Error, appKey?: string): Reply {
  const r: Reply = { status: err.status, body: err.body, api, code: err.body.code };
  if (appKey !== undefined) r.appKey = appKey;
  return r;
}

export function legacyReply(api: string, err: LegacyError, appKey?: string): Reply {
  const r: Reply = { status: 200, body: err, api, code: err.errcode };
  if (appKey !== undefined) r.appKey = appKey;
  return r;
}

export function okReply(api: string, body: unknown, appKey?: string): Reply {
  const r: Reply = { status: 200, body, api };
  if (appKey !== undefined) r.appKey = appKey;
  return r;
}

export type JsonObject = Record<string, unknown>;

/** Parses a JSON object body; undefined when it is not one. */
export function parseJsonObject(body: Buffer | string): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

export function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

const SECRET_QUERY = new Set(['appsecret', 'access_token', 'ticket', 'session', 'clientsecret']);

/** Path plus query, with secret-bearing parameters dropped. */
export function safePath(url: URL): string {
  const q = new URLSearchParams();
  for (const [k, v] of url.searchParams) if (!SECRET_QUERY.has(k.toLowerCase())) q.append(k, v);
  const qs = q.toString();
  return qs ? `${url.pathname}?${qs}` : url.pathname;
}

const API_NAMES: Record<string, string> = {
  'POST /v1.0/gateway/connections/open': 'connections.open',
  'POST /v1.0/oauth2/accessToken': 'accessToken',
  'POST /v1.0/robot/groupMessages/send': 'groupMessages.send',
  'POST /v1.0/robot/oToMessages/batchSend': 'oToMessages.batchSend',
  'POST /v1.0/robot/messageFiles/download': 'messageFiles.download',
  'POST /v1.0/robot/emotion/reply': 'emotion.reply',
  'POST /v1.0/robot/emotion/recall': 'emotion.recall',
  'POST /v1.0/card/instances/createAndDeliver': 'card.createAndDeliver',
  'PUT /v1.0/card/streaming': 'card.streaming',
  'PUT /v1.0/card/instances': 'card.update',
  'GET /oapi/gettoken': 'gettoken',
  'POST /oapi/media/upload': 'media.upload',
  'POST /oapi/robot/sendBySession': 'webhook',
};

/** The API name of a request (for the log when no handler ran). */
export function apiNameFor(method: string, pathname: string): string {
  const known = API_NAMES[`${method} ${pathname}`];
  if (known) return known;
  if (method === 'GET' && pathname.startsWith('/files/')) return 'file.get';
  return 'unknown';
}
