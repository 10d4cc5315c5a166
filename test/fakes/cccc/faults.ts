/**
 * Fault injection for the fake CCCC daemon: what tests make it do wrong, turned into the
 * daemon's request hook (electron/sandbox/cccc/daemon.ts). Test-only: the app bundle never
 * imports this (test/packaging/sandbox-faults.test.ts).
 */
import type { Tampering } from '../../../electron/sandbox/cccc/daemon';

export interface Fault {
  /** Operations it applies to; all when absent. */
  ops?: string[];
  /** How many requests it hits before it clears itself; unlimited when absent. */
  times?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Close without answering, before or after the operation took effect. */
  drop?: 'before-handling' | 'after-handling';
  /** Answer garbage instead (the operation still takes effect). */
  malformed?: 'not-json' | 'bad-envelope' | 'bad-result' | 'truncated' | 'oversize';
  /** Refuse with this daemon error instead of handling (e.g. `unknown_op` for an older CCCC). */
  error?: { code: string; message?: string; details?: Record<string, unknown> };
}

const MALFORMED: Record<NonNullable<Fault['malformed']>, () => string> = {
  'not-json': () => '<html>502 Bad Gateway</html>\n',
  'bad-envelope': () => JSON.stringify({ v: 1, ok: 'yes', result: [] }) + '\n',
  'bad-result': () => JSON.stringify({ v: 1, ok: true, result: { unexpected: true }, error: null }) + '\n',
  truncated: () => '{"v":1,"ok":true,"result":{"gro',
  oversize: () => JSON.stringify({ v: 1, ok: true, result: { pad: 'x'.repeat(5_000_000) }, error: null }) + '\n',
};

export function tamperingFor(f: Fault): Tampering {
  const t: Tampering = { label: f.drop ?? f.malformed ?? f.error?.code ?? (f.delayMs !== undefined ? 'delay' : 'none') };
  if (f.drop === 'before-handling') t.dropBeforeHandling = true;
  if (f.error) t.error = { code: f.error.code, message: f.error.message ?? f.error.code, details: f.error.details ?? {} };
  if (f.delayMs !== undefined) t.delayMs = f.delayMs;
  if (f.drop === 'after-handling') t.reply = null;
  else if (f.malformed) t.reply = MALFORMED[f.malformed]();
  return t;
}

/** One fault in force, counting its hits: the daemon's request hook. */
export function faultHook(fault: Fault, cleared: () => void): (op: string) => Tampering | undefined {
  let hits = 0;
  return (op) => {
    if (fault.ops && !fault.ops.includes(op)) return undefined;
    hits += 1;
    if (fault.times !== undefined && hits >= fault.times) cleared();
    return tamperingFor(fault);
  };
}
