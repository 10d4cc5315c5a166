/** JSON over HTTP to DingTalk, through the proxy policy, with timeouts and typed failures. */
import { fetch, type FormData, type Response } from 'undici';
import { BridgeError } from '../errors';
import { networkProblem, problemFromResponse } from './errors';
import { dispatcherFor } from './proxy';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  /** Short API name for messages and logs, e.g. `groupMessages.send`. */
  api: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export async function send(req: HttpRequest): Promise<Response> {
  const timeout = AbortSignal.timeout(req.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  let body: string | FormData | undefined;
  if (req.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) {
    body = req.form;
  }
  try {
    return await fetch(req.url, { method: req.method, headers, body, signal, dispatcher: dispatcherFor(req.url) });
  } catch (err) {
    if (req.signal?.aborted) throw new BridgeError({ code: 'aborted', message: 'Cancelled', retryable: false }, { cause: err });
    throw new BridgeError(networkProblem(err, req.api), { cause: err });
  }
}

async function readJson(res: Response): Promise<unknown> {
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
