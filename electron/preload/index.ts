/**
 * The only bridge between the sandboxed renderer and main: `window.cccc` with `invoke` (the
 * API table) and `onEvent` (pushed events). The renderer never sees ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiEvent } from '../shared/api';
import { BRIDGE_GLOBAL, IPC_EVENT, IPC_INVOKE, type CcccBridgeApi } from '../shared/bridge-api';

const api: CcccBridgeApi = {
  invoke: (method, input) => ipcRenderer.invoke(IPC_INVOKE, method, input),
  onEvent(listener) {
    // Only the event reaches the page: the IpcRendererEvent would hand it `sender`.
    const forward = (_event: IpcRendererEvent, payload: ApiEvent): void => listener(payload);
    ipcRenderer.on(IPC_EVENT, forward);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, forward);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, api);
