/**
 * The API table over IPC: one handler on IPC_INVOKE for every method. It answers only the app's
 * own page in the app's own window, validates the input with the method's schema, and always
 * resolves with an ApiResponse — a failure is a ProblemView, never an Error with its stack.
 * Events go to the app's windows on IPC_EVENT.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { API, IPC_EVENT, IPC_INVOKE, type ApiEvent, type ApiHandlers, type ApiMethod, type ApiResponse, type ProblemView } from '../shared/api';
import { toProblem } from '../core/errors';
import type { Logger } from '../core/log/logger';
import { isAppUrl, type AppPage } from './window';

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** Every method of the API table (a missing one does not compile). */
  handlers: ApiHandlers;
  page: AppPage;
  /** The windows of this app; a sender must be one of them. */
  windows: () => readonly BrowserWindow[];
  log: Logger;
}

function problem(code: string, message: string, details?: Record<string, unknown>): ProblemView {
  return { code, message, retryable: false, ...(details ? { details } : {}) };
}

function isMethod(method: unknown): method is ApiMethod {
  return typeof method === 'string' && Object.hasOwn(API, method);
}

/** The app's own page, in its main frame, in one of its windows: nothing else may call. */
export function isTrustedSender(event: IpcMainInvokeEvent, page: AppPage, windows: readonly BrowserWindow[]): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!windows.some((w) => !w.isDestroyed() && w.webContents === event.sender)) return false;
  return isAppUrl(frame.url, page);
}

/** Handles one call; exported for the tests that drive it without Electron's IPC. */
export async function dispatch(o: Omit<IpcOptions, 'ipcMain'>, event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<ApiResponse<ApiMethod>> {
  if (!isTrustedSender(event, o.page, o.windows())) {
    o.log.warn('Refused an IPC call from outside the app', {
      method: typeof method === 'string' ? method.slice(0, 64) : typeof method,
      url: event.senderFrame?.url.slice(0, 200),
    });
    return { ok: false, problem: problem('ipc.forbidden', 'This page may not use the app') };
  }
  if (!isMethod(method)) return { ok: false, problem: problem('ipc.unknown_method', 'Unknown request') };
  const parsed = API[method].input.safeParse(input);
  if (!parsed.success) {
    // Paths and messages only: the input itself may hold an AppSecret.
    const issues = parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    return { ok: false, problem: problem('ipc.invalid_input', `Invalid input for ${method}`, { issues }) };
  }
  try {
    // The table pairs each method with its schema and handler; TypeScript cannot follow that through a runtime key.
    const handler = o.handlers[method] as (input: unknown) => Promise<unknown>;
    const result = await handler(parsed.data);
    return { ok: true, result } as ApiResponse<ApiMethod>;
  } catch (err) {
    const p = toProblem(err);
    o.log.warn(`${method} failed: ${p.message}`, { code: p.code });
    const view: ProblemView = { code: p.code, message: p.message, retryable: p.retryable };
    if (p.hint !== undefined) view.hint = p.hint;
    if (p.details !== undefined) view.details = p.details;
    return { ok: false, problem: view };
  }
}

/** Registers the handler; returns the function that removes it. */
export function registerIpc(o: IpcOptions): () => void {
  o.ipcMain.handle(IPC_INVOKE, (event, method: unknown, input: unknown) => dispatch(o, event, method, input));
  return () => o.ipcMain.removeHandler(IPC_INVOKE);
}

/** Pushes an event to every app window that is still there. */
export function broadcast(windows: readonly BrowserWindow[], event: ApiEvent): void {
  for (const w of windows) {
    if (!w.isDestroyed() && !w.webContents.isDestroyed()) w.webContents.send(IPC_EVENT, event);
  }
}
