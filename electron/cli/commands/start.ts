/**
 * `cccc-dingtalk start [--detach]`. In the foreground the bridge runs in this process. With
 * --detach this process starts itself again as a detached child (own session, no terminal,
 * output only to the log file), waits until the child reports "connected" or a problem over
 * the IPC channel, prints that, and leaves the child running.
 */
import { spawn } from 'node:child_process';
import { V8_FLAGS } from '../../../bin/v8-flags.js';
import type { Problem } from '../../core/errors';
import { groupHolder, instanceProblem, isSameBridge } from '../../core/config/guards';
import { credentialsOf, loadBridge } from '../context';
import { CliFailure, err, formatProblem, out } from '../output';
import { runBridge, type ChildReport } from '../run';

export interface StartOptions {
  bridge?: string;
  detach?: boolean;
  debug?: boolean;
  child?: boolean;
  waitTimeout?: string;
}

export async function startCommand(o: StartOptions): Promise<number> {
  if (!o.detach) return runBridge({ ...(o.bridge ? { bridgeId: o.bridge } : {}), debug: Boolean(o.debug), child: Boolean(o.child) });
  return detach(o);
}

/**
 * glibc malloc settings of the detached bridge (each unless the caller set it). glibc gives
 * every thread that allocates its own arena (node's I/O and V8's worker threads), each keeping
 * freed memory resident: two arenas held ~4 MB less after 10,000 messages. Left to itself,
 * glibc also raises its mmap threshold (and with it the free memory it keeps before returning
 * any, twice that) to the size of every large block freed, up to 32 MB; fixed at their 128 kB
 * defaults, large buffers go back to the system when freed. Figures: bin/v8-flags.js. glibc
 * reads them only at process start, hence here; other C libraries ignore them.
 */
export const CHILD_MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072', MALLOC_TRIM_THRESHOLD_: '131072' } as const;

/** The detached bridge's environment: the caller's, plus CHILD_MALLOC_ENV. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...CHILD_MALLOC_ENV, ...env };
}

/**
 * The detached bridge's node flags: the launcher's V8 settings (bin/v8-flags.js) on its command
 * line, then the caller's own (a later flag wins). V8 sizes its heap once, at start: set later
 * from the launcher, `--optimize-for-size` leaves the young generation at 16 MB instead of 1 MB.
 */
export function childNodeFlags(execArgv: string[]): string[] {
  return [...V8_FLAGS.filter((flag) => !execArgv.includes(flag)), ...execArgv];
}

async function detach(o: StartOptions): Promise<number> {
  // Fail fast on what the child would refuse anyway, with the same words.
  const ctx = await loadBridge(o.bridge);
  await credentialsOf(ctx);
  const holder = await groupHolder(ctx.target);
  if (holder && isSameBridge(ctx.target, holder)) throw new CliFailure(instanceProblem(ctx.target, 'group', holder));

  const waitMs = Math.max(1, Number(o.waitTimeout ?? 30)) * 1000;
  // The same entry (bin script or tsx-run source) with the same node flags, in its own process group.
  const args = [
    ...childNodeFlags(process.execArgv),
    ...process.argv.slice(1, 2),
    'start',
    '--child',
    ...(o.bridge ? ['--bridge', o.bridge] : []),
    ...(o.debug ? ['--debug'] : []),
  ];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], env: childEnv(process.env) });

  const outcome = await new Promise<ChildReport | { type: 'exited'; code: number | null } | { type: 'timeout' }>((resolve) => {
    const timer = setTimeout(() => resolve({ type: 'timeout' }), waitMs);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as ChildReport);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ type: 'exited', code });
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve({ type: 'exited', code: null });
    });
  });
  if (child.connected) child.disconnect();
  child.unref();

  const logs = `cccc-dingtalk logs${o.bridge ? ` --bridge ${o.bridge}` : ''}`;
  const steps = (p: Problem, s: string[]): string => formatProblem(p, s);
  switch (outcome.type) {
    case 'ready': {
      const s = outcome.status;
      out(
        `Bridge "${ctx.profile.id}" is running (pid ${outcome.pid}): connected to DingTalk, CCCC ${s.cccc.status === 'up' ? 'up' : s.cccc.status}, group ${ctx.profile.groupId}.`,
      );
      if (s.cccc.status === 'down') out('  CCCC is not reachable yet — messages wait until it is (start it with `cccc`).');
      out(`  Logs: \`${logs} -f\`   Status: \`cccc-dingtalk status\`   Stop: \`cccc-dingtalk stop\``);
      return 0;
    }
    case 'waiting':
      err(steps(outcome.problem, outcome.steps));
      err(
        `The bridge (pid ${outcome.pid}) is not connected yet and keeps retrying in the background; \`cccc-dingtalk status\` and \`${logs} -f\` show how it goes, \`cccc-dingtalk stop\` stops it.`,
      );
      return 1;
    case 'failed':
      err(steps(outcome.problem, outcome.steps));
      return 1;
    case 'exited':
      err(`Error: the bridge process exited before it connected (code ${outcome.code ?? 'unknown'}).\n  → See \`${logs}\`.`);
      return 1;
    case 'timeout':
      err(
        `The bridge (pid ${child.pid}) did not connect within ${waitMs / 1000} s; it keeps trying in the background.\n  → \`cccc-dingtalk status\` and \`${logs} -f\` show why; \`cccc-dingtalk stop\` stops it.`,
      );
      return 1;
  }
}
