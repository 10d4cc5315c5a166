/**
 * The two ways the renderer reaches the bridge services: Electron IPC through the preload's
 * `window.cccc`, or the headless `cccc-dingtalk serve` over HTTP + server-sent events. Both
 * answer with an ApiResponse and never reject: a failure becomes a problem the UI can show.
 */
import type { ApiEvent, ApiInput, ApiMethod, ApiResponse, ProblemView } from '../../../electron/shared/api';
import type { CcccBridgeApi } from '../../../electron/shared/bridge-api';

/** Whether pushed events are flowing (the HTTP stream can drop and come back). */
export type StreamState = 'open' | 'connecting' | 'closed';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  invoke<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResponse<M>>;
  onEvent(listener: (event: ApiEvent) => void): () => void;
  onStreamState(listener: (state: StreamState) => void): () => void;
}

/** Problems raised by the client itself (codes under `ui.`; the UI translates them). */
export function clientProblem(
  code: 'ui.unreachable' | 'ui.unauthorized' | 'ui.bad_response' | 'ui.timeout' | 'ui.invalid_input',
  message: string,
  details?: Record<string, unknown>,
): ProblemView {
  const p: ProblemView = { code, message, retryable: code === 'ui.unreachable' || code === 'ui.timeout' };
  if (details) p.details = details;
  return p;
}

function isApiResponse(v: unknown): v is ApiResponse<ApiMethod> {
  if (typeof v !== 'object' || v === null || !('ok' in v)) return false;
  const r = v as { ok: unknown; result?: unknown; problem?: unknown };
  if (r.ok === true) return 'result' in r;
  return r.ok === false && typeof r.problem === 'object' && r.problem !== null && typeof (r.problem as { code?: unknown }).code === 'string';
}

function isApiEvent(v: unknown): v is ApiEvent {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

export function ipcTransport(bridge: CcccBridgeApi): Transport {
  return {
    kind: 'ipc',
    async invoke(method, input) {
      try {
        const res: unknown = await bridge.invoke(method, input);
        return isApiResponse(res)
          ? (res as ApiResponse<typeof method>)
          : { ok: false, problem: clientProblem('ui.bad_response', `Unexpected answer to ${method}`) };
      } catch (err) {
        // IPC rejects only when main has no handler or crashed: say so, without its stack.
        const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
        return { ok: false, problem: clientProblem('ui.unreachable', first || `No answer to ${method}`) };
      }
    },
    onEvent: (listener) =>
      bridge.onEvent((event) => {
        if (isApiEvent(event)) listener(event);
      }),
    // IPC events cannot drop while the window lives.
    onStreamState(listener) {
      listener('open');
      return () => {};
    },
  };
}

export interface HttpOptions {
  /** Origin of `cccc-dingtalk serve`, e.g. `http://127.0.0.1:4321`. */
  base: string;
  token: string;
  /** Per-call limit; testCredentials opens a Stream connection, so it is generous. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  eventSourceImpl?: typeof EventSource;
}

export function httpTransport(opts: HttpOptions): Transport {
  const doFetch = opts.fetchImpl ?? fetch.bind(globalThis);
  const ES = opts.eventSourceImpl ?? globalThis.EventSource;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const eventListeners = new Set<(e: ApiEvent) => void>();
  const stateListeners = new Set<(s: StreamState) => void>();
  let source: EventSource | undefined;
  let state: StreamState = 'closed';

  const setState = (s: StreamState): void => {
    if (s === state) return;
    state = s;
    for (const l of stateListeners) l(s);
  };

  // One EventSource for all listeners, open only while someone listens.
  const open = (): void => {
    if (source) return;
    setState('connecting');
    const es = new ES(`${opts.base}/api/events?token=${encodeURIComponent(opts.token)}`);
    source = es;
    es.onopen = () => setState('open');
    es.onerror = () => setState(es.readyState === es.CLOSED ? 'closed' : 'connecting');
    es.onmessage = (msg: MessageEvent<string>) => {
      let data: unknown;
      try {
        data = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (isApiEvent(data)) for (const l of eventListeners) l(data);
    };
  };
  const closeIfIdle = (): void => {
    if (eventListeners.size > 0 || !source) return;
    source.close();
    source = undefined;
    setState('closed');
  };

  return {
    kind: 'http',
    async invoke(method, input) {
      let res: Response;
      try {
        res = await doFetch(`${opts.base}/api/${method}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.token}` },
          body: JSON.stringify(input ?? {}),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'TimeoutError')
          return { ok: false, problem: clientProblem('ui.timeout', `${method} took longer than ${Math.round(timeoutMs / 1000)} s`) };
        return { ok: false, problem: clientProblem('ui.unreachable', `Cannot reach ${opts.base}`) };
      }
      if (res.status === 401 || res.status === 403)
        return { ok: false, problem: clientProblem('ui.unauthorized', `The server refused the access token (HTTP ${res.status})`) };
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        return { ok: false, problem: clientProblem('ui.bad_response', `HTTP ${res.status} without a JSON answer`) };
      }
      if (isApiResponse(body)) return body as ApiResponse<typeof method>;
      return { ok: false, problem: clientProblem('ui.bad_response', `HTTP ${res.status}: unexpected answer to ${method}`) };
    },
    onEvent(listener) {
      eventListeners.add(listener);
      open();
      return () => {
        eventListeners.delete(listener);
        closeIfIdle();
      };
    },
    onStreamState(listener) {
      stateListeners.add(listener);
      listener(state);
      return () => {
        stateListeners.delete(listener);
      };
    },
  };
}

/** Reads `#token=…` (as `cccc-dingtalk serve` prints it), keeps it for reloads, and takes it out of the address bar. */
export function takeServeToken(loc: Location, storage: Storage, history: History): string | undefined {
  const fromHash = new URLSearchParams(loc.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    storage.setItem('cccc.token', fromHash);
    history.replaceState(null, '', loc.pathname + loc.search);
    return fromHash;
  }
  return storage.getItem('cccc.token') ?? undefined;
}

/** IPC inside the app; HTTP when served; undefined when served without a token. */
export function pickTransport(win: Window & { cccc?: CcccBridgeApi }): Transport | undefined {
  if (win.cccc && typeof win.cccc.invoke === 'function') return ipcTransport(win.cccc);
  const token = takeServeToken(win.location, win.sessionStorage, win.history);
  return token ? httpTransport({ base: win.location.origin, token }) : undefined;
}
