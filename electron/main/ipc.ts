/**
 * The API table over IPC: one handler on IPC_INVOKE for every method. It answers only the app's
 * own page in the app's own window; the rest — validation, the handler, the problem — is the
 * call path it shares with `serve` (core/control/dispatch.ts).
 * Events go to the app's windows on IPC_EVENT.
 */
import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { IPC_EVENT, IPC_INVOKE, type ApiEvent, type ApiHandlers, type ApiMethod, type ApiResponse } from '../shared/api';
import { dispatchCall, toResponse } from '../core/control/dispatch';
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
    return { ok: false, problem: { code: 'ipc.forbidden', message: 'This page may not use the app', retryable: false } };
  }
  return toResponse(await dispatchCall({ handlers: o.handlers, transport: 'ipc', log: o.log }, method, input));
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
