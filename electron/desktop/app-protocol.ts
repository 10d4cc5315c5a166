/**
 * How the desktop app serves its own page: from `app://bundle/…`, a privileged custom scheme,
 * rather than file:// (Electron's security advice; the packaged app's fuses take file:// pages'
 * extra privileges away, and Chromium will not run module scripts from a file:// page without
 * them). Only files under the renderer's build folder are served, each with the CSP header.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { contentTypeFor } from '../core/util/content-type';

export const APP_SCHEME = 'app';
export const APP_HOST = 'bundle';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** What the bundle may contain; any other file is a 404. */
const SERVED = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.png', '.ico', '.woff2', '.woff', '.txt']);

/** The file under `root` an app:// URL names, or undefined for anything else (other hosts, escapes, odd encodings). */
export function appFileFor(root: string, url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const file = resolve(root, `.${path === '/' ? '/index.html' : path}`);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return undefined;
  return file;
}

export interface AppFileResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** The answer to one app:// request: the file with its type and the CSP, or a bare 404. */
export async function serveAppFile(root: string, url: string, csp: string): Promise<AppFileResponse> {
  const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' };
  const file = appFileFor(root, url);
  const type = file ? contentTypeFor(file, SERVED) : undefined;
  if (!file || !type) return { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  try {
    return { status: 200, headers: { ...headers, 'Content-Type': type }, body: await readFile(file) };
  } catch {
    return { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Not found' };
  }
}
