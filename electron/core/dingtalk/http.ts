/**
 * JSON over HTTP to DingTalk, through the proxy policy, with timeouts and typed failures.
 * Node's own http/https clients, not fetch: fetch (Node's or the undici package) parses HTTP
 * with a WebAssembly build of llhttp whose compilation alone held ~25 MB of a bridge's resident
 * memory; node:http uses the native parser that is already loaded.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { BridgeError } from '../errors';
import { networkProblem, problemFromResponse } from './errors';
import { agentFor } from './proxy';

/**
 * Told of every request as it goes out, by its API name: how the bridge counts what DingTalk
 * meters (core/bridge/api-usage/, docs/dingtalk-protocol.md §12).
 */
export type CallCounter = (api: string) => void;

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  /** Short API name for messages, logs and the call count, e.g. `groupMessages.send`: stable, never an id. */
  api: string;
  counter?: CallCounter | undefined;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What callers read of an answer; the body is a Node stream, to be read or destroyed. */
export interface HttpResponse {
  status: number;
  ok: boolean;
  headers: { get(name: string): string | null };
  body: Readable;
  text(): Promise<string>;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;
/** As long as a connection may take to open (undici's default, which the bridge used before). */
const CONNECT_TIMEOUT_MS = 10_000;

/** The body as bytes with its content type: multipart encoding is the platform's (Response). */
async function encode(req: HttpRequest, headers: Record<string, string>): Promise<string | Buffer | undefined> {
  if (req.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    return JSON.stringify(req.json);
  }
  if (!req.form) return undefined;
  const encoded = new Response(req.form);
  headers['Content-Type'] = encoded.headers.get('content-type') ?? 'multipart/form-data';
  return Buffer.from(await encoded.arrayBuffer());
}

function connectTimeout(): Error {
  return Object.assign(new Error(`Connect timeout after ${CONNECT_TIMEOUT_MS} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' });
}

function exchange(
  url: URL,
  options: { method: string; headers: Record<string, string>; signal: AbortSignal },
  body: string | Buffer | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const agent = agentFor(url.href);
    const req = request(url, { ...options, ...(agent ? { agent } : {}) }, resolve);
    req.once('error', reject);
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(connectTimeout()), CONNECT_TIMEOUT_MS);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.end(body);
  });
}

function toResponse(res: IncomingMessage, signal: AbortSignal): HttpResponse {
  const status = res.statusCode ?? 0;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get(name) {
        const value = res.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
      },
    },
    body: res,
    async text() {
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of res) chunks.push(chunk as Buffer);
      } catch (err) {
        throw signal.aborted ? signal.reason : err;
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/**
 * One request's signal: aborted by the caller's signal or at the deadline, whichever comes first.
 * `done()` clears the timer and the listener as soon as the request is over; AbortSignal.timeout
 * and AbortSignal.any would keep a timer and weak references per request alive until the
 * deadline (~1,500 of them in a bridge's heap after 10,000 messages).
 */
function requestSignal(timeoutMs: number, caller: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(caller?.reason);
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  // As AbortSignal.timeout's: a pending request alone does not keep the process running.
  timer.unref();
  if (caller?.aborted) onCallerAbort();
  else caller?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    },
  };
}

export async function send(req: HttpRequest): Promise<HttpResponse> {
  const { signal, done } = requestSignal(req.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS, req.signal);
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  try {
    const body = await encode(req, headers);
    // Counted when it leaves, whatever the answer: a call DingTalk may have metered is never missed.
    req.counter?.(req.api);
    const res = await exchange(new URL(req.url), { method: req.method, headers, signal }, body);
    // The deadline covers reading the body too; it ends when the body is read or destroyed.
    res.once('close', done);
    return toResponse(res, signal);
  } catch (err) {
    done();
    if (req.signal?.aborted) throw new BridgeError({ code: 'aborted', message: 'Cancelled', retryable: false }, { cause: err });
    // Name what failed as fetch did: the timeout, or the socket's error code.
    const failure = signal.aborted ? (signal.reason as Error) : new Error('request failed', { cause: err });
    throw new BridgeError(networkProblem(failure, req.api), { cause: err });
  }
}

async function readJson(res: HttpResponse): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sends and parses JSON. Throws a BridgeError for HTTP failures and for legacy-style bodies
 * whose `errcode` is not 0 (those arrive with HTTP 200).
 */
export async function requestJson(req: HttpRequest): Promise<unknown> {
  const res = await send(req);
  let body: unknown;
  try {
    body = await readJson(res);
  } catch (err) {
    throw new BridgeError(networkProblem(err, req.api), { cause: err });
  }
  const legacyError = typeof body === 'object' && body !== null && 'errcode' in body && (body as { errcode: unknown }).errcode !== 0;
  if (!res.ok || legacyError) throw new BridgeError(problemFromResponse(res.status, body, req.api));
  return body;
}
