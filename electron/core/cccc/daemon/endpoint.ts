/**
 * Endpoint discovery (docs/cccc-contract.md §1): the daemon writes
 * `${CCCC_HOME}/daemon/ccccd.addr.json`; without a usable descriptor a POSIX client falls back
 * to `${CCCC_HOME}/daemon/ccccd.sock`, as CCCC's own client does. Windows has no fallback
 * (the daemon uses TCP there).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { daemonDir } from './home';

export type Endpoint = { transport: 'unix'; path: string; source: EndpointSource } | { transport: 'tcp'; host: string; port: number; source: EndpointSource };

/**
 * `descriptor`: read from addr.json. `fallback`: addr.json missing. `fallback-invalid`:
 * addr.json present but unusable — kept apart so a failure can blame the file, not the daemon.
 */
export type EndpointSource = 'descriptor' | 'fallback' | 'fallback-invalid';

export type Discovery =
  | { ok: true; endpoint: Endpoint; daemonPid?: number; daemonVersion?: string; descriptorProblem?: string }
  | { ok: false; reason: 'missing' | 'invalid'; descriptorPath: string; detail?: string };

const descriptorSchema = z.looseObject({
  v: z.literal(1),
  transport: z.enum(['unix', 'tcp']),
  path: z.string().optional().default(''),
  host: z.string().optional().default(''),
  port: z.number().int().min(0).max(65535).optional().default(0),
  pid: z.number().int().optional(),
  version: z.string().optional(),
});

/** The daemon may bind a wildcard or name; a local client always dials loopback then. */
export function connectHost(host: string): string {
  const h = host.trim();
  if (!h || h === 'localhost' || h === '0.0.0.0' || h.includes(':')) return '127.0.0.1';
  return h;
}

export function descriptorPath(home: string): string {
  return path.join(daemonDir(home), 'ccccd.addr.json');
}

export function fallbackSocketPath(home: string): string {
  return path.join(daemonDir(home), 'ccccd.sock');
}

/** Parses descriptor text into an endpoint, or says why it is not a usable v1 descriptor. */
export function parseDescriptor(text: string): { endpoint: Endpoint; pid?: number; version?: string } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  const parsed = descriptorSchema.safeParse(raw);
  if (!parsed.success) return { error: z.prettifyError(parsed.error).split('\n')[0] ?? 'invalid descriptor' };
  const d = parsed.data;
  const meta = { ...(d.pid !== undefined ? { pid: d.pid } : {}), ...(d.version !== undefined ? { version: d.version } : {}) };
  if (d.transport === 'unix') {
    if (!d.path.trim()) return { error: 'unix descriptor without a path' };
    return { endpoint: { transport: 'unix', path: d.path.trim(), source: 'descriptor' }, ...meta };
  }
  if (d.port <= 0) return { error: 'tcp descriptor without a port' };
  return { endpoint: { transport: 'tcp', host: connectHost(d.host), port: d.port, source: 'descriptor' }, ...meta };
}

/** `platform` decides only the fallback policy; paths follow the host. */
export async function discoverEndpoint(home: string, platform: NodeJS.Platform = process.platform): Promise<Discovery> {
  const file = descriptorPath(home);
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      return { ok: false, reason: 'invalid', descriptorPath: file, detail: (err as NodeJS.ErrnoException).code ?? 'unreadable' };
    }
  }
  const parsed = text === undefined ? undefined : parseDescriptor(text);
  if (parsed && 'endpoint' in parsed) {
    return {
      ok: true,
      endpoint: parsed.endpoint,
      ...(parsed.pid !== undefined ? { daemonPid: parsed.pid } : {}),
      ...(parsed.version !== undefined ? { daemonVersion: parsed.version } : {}),
    };
  }
  if (platform === 'win32') {
    return parsed ? { ok: false, reason: 'invalid', descriptorPath: file, detail: parsed.error } : { ok: false, reason: 'missing', descriptorPath: file };
  }
  const endpoint: Endpoint = { transport: 'unix', path: fallbackSocketPath(home), source: parsed ? 'fallback-invalid' : 'fallback' };
  return parsed ? { ok: true, endpoint, descriptorProblem: parsed.error } : { ok: true, endpoint };
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.transport === 'unix' ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
}
