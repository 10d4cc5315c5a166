/**
 * The Vite dev server of `npm run dev`: the renderer from its sources with hot reload, its API
 * calls and server-sent events proxied to a running `cccc-dingtalk serve`. That server accepts
 * only its own Host and Origin, so the proxy presents both as the server's; the token still
 * comes from the page (`#token=…`), as with the built UI. The UI's strict CSP (renderer/index.html)
 * stays: React's hot-reload preamble is an inline script, but Vite puts it before the policy's
 * meta tag, and a meta policy governs only what follows it.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { InlineConfig } from 'vite';

export const RENDERER_ROOT = fileURLToPath(new URL('../../../renderer/', import.meta.url));

export interface DevServerOptions {
  /** The serve origin, e.g. http://127.0.0.1:43121. */
  target: string;
  /** The dev server's port on 127.0.0.1 (0: any free one). */
  port: number;
}

export function devServerConfig(o: DevServerOptions): InlineConfig {
  return {
    configFile: false,
    root: RENDERER_ROOT,
    plugins: [react()],
    logLevel: 'warn',
    server: {
      host: '127.0.0.1',
      port: o.port,
      strictPort: o.port !== 0,
      proxy: { '/api': { target: o.target, changeOrigin: true, headers: { origin: o.target } } },
    },
  };
}
