/**
 * What the preload exposes to the renderer as `window.cccc`: the API table over IPC, and the
 * pushed events. Nothing else of Electron or Node is reachable from the page.
 */
import type { ApiEvent, ApiInput, ApiMethod, ApiResponse } from './api';

export interface CcccBridgeApi {
  /** Calls one method of the API table; never rejects for a failed call: `{ ok: false, problem }`. */
  invoke<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiResponse<M>>;
  /** Listens to pushed events; returns the function that stops listening. */
  onEvent(listener: (event: ApiEvent) => void): () => void;
}

/** The global name the preload exposes the bridge under (`window.cccc`). */
export const BRIDGE_GLOBAL = 'cccc';

/** IPC channel names. */
export const IPC_INVOKE = 'cccc:invoke';
export const IPC_EVENT = 'cccc:event';
