/** The only bridge between the sandboxed renderer and main: a small, typed, read-only API. */
import { contextBridge, ipcRenderer } from 'electron';
import type { AppInfo } from '../shared/app-info';

const api = {
  appInfo: (): Promise<AppInfo> => ipcRenderer.invoke('app:info') as Promise<AppInfo>,
};

export type PreloadApi = typeof api;

contextBridge.exposeInMainWorld('cccc', api);
