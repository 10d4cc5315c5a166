/**
 * A real CCCC daemon run from its source, for the conformance scripts run by hand
 * (CCCC_SRC=<checkout>/src; PYTHON overrides the interpreter).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { discoverEndpoint } from '../../electron/core/cccc/daemon/endpoint';
import { exchange } from '../../electron/core/cccc/daemon/transport';
import { waitFor } from '../helpers/wait';

export type Json = unknown;

export async function rawCall(home: string, line: string): Promise<Json> {
  const found = await discoverEndpoint(home);
  if (!found.ok) throw new Error(`no daemon endpoint in ${home}`);
  const answer = await exchange(found.endpoint, line, { timeoutMs: 60_000, connectTimeoutMs: 2_000, maxResponseBytes: 16_000_000 });
  return JSON.parse(answer) as Json;
}

export const request = (op: string, args: Record<string, unknown> = {}): string => JSON.stringify({ v: 1, op, args });

export function resultOf(envelope: Json, what: string): Record<string, unknown> {
  const e = envelope as { ok?: boolean; result?: Record<string, unknown>; error?: unknown };
  if (!e.ok || !e.result) throw new Error(`${what} failed: ${JSON.stringify(e.error)}`);
  return e.result;
}

export async function startReal(
  src: string,
  root: string,
  transport: 'unix' | 'tcp',
): Promise<{ home: string; proc: ChildProcess; call: (line: string) => Promise<Json> }> {
  const home = path.join(root, `real-home-${transport}`);
  await mkdir(home, { recursive: true });
  const proc = spawn(process.env['PYTHON'] ?? 'python3', ['-m', 'cccc.daemon_main', 'run'], {
    env: { ...process.env, CCCC_HOME: home, PYTHONPATH: src, CCCC_DAEMON_TRANSPORT: transport },
    stdio: 'ignore',
  });
  const call = (line: string): Promise<Json> => rawCall(home, line);
  const answers = (): Promise<boolean> =>
    call(request('ping')).then(
      () => true,
      () => false,
    );
  try {
    await waitFor(answers, 'the real CCCC daemon to answer ping', 20_000, 100);
  } catch {
    proc.kill('SIGKILL');
    throw new Error('the real CCCC daemon did not come up within 20 s');
  }
  return { home, proc, call };
}

export async function stopReal(home: string, proc: ChildProcess): Promise<void> {
  try {
    await rawCall(home, request('shutdown'));
  } catch {
    // already gone
  }
  await waitFor(() => proc.exitCode !== null, 'the real CCCC daemon to exit', 5_000, 100).catch(() => proc.kill('SIGKILL'));
}

/** A group with a scope and two `cat` actors (boss = foreman, helper "Code Helper"), as both scripts use. */
export async function createDemoGroup(call: (line: string) => Promise<Json>, scope: string, title: string): Promise<string> {
  await mkdir(scope, { recursive: true });
  const G = String(resultOf(await call(request('group_create', { title, by: 'user' })), 'group_create')['group_id']);
  resultOf(await call(request('attach', { path: scope, group_id: G, by: 'user' })), 'attach');
  for (const [id, actorTitle] of [
    ['boss', 'Boss'],
    ['helper', 'Code Helper'],
  ] as const) {
    resultOf(
      await call(request('actor_add', { group_id: G, actor_id: id, title: actorTitle, runtime: 'custom', runner: 'pty', command: ['cat'], by: 'user' })),
      'actor_add',
    );
  }
  return G;
}

/** Runs CCCC's own CLI (`python -m cccc.cli …`) against `home`; never synchronously, since the fakes the bridge talks to live in this process. */
export function ccccCli(src: string, home: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.env['PYTHON'] ?? 'python3',
      ['-m', 'cccc.cli', ...args],
      { env: { ...process.env, CCCC_HOME: home, PYTHONPATH: src } },
      (err, stdout, stderr) => (err ? reject(new Error(`cccc ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout)),
    ),
  );
}

/** Waits for `check` to hold; a step of the scenario that does not, fails by its name. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  try {
    return (await waitFor(check, what, timeoutMs, 50)) as T;
  } catch {
    throw new Error(`step failed: ${what}`);
  }
}

/** Prints a step that held. */
export function step(name: string, detail = ''): void {
  process.stdout.write(`✓ ${name}${detail ? ` — ${detail}` : ''}\n`);
}
