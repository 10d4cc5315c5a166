/**
 * Runs `npm run demo`'s entry as a child process (`node --import tsx …/main.ts --json`), reads
 * the addresses it prints, and stops it with SIGINT. Also: the child processes of a pid, from
 * /proc, to prove that nothing is left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { killAfter, within } from '../../helpers/wait';

export const DEMO_MAIN = resolve('electron/sandbox/demo/main.ts');

export interface DemoInfo {
  chatUrl: string;
  controlUrl: string;
  controlOrigin: string;
  controlToken: string;
  cccc: { kind: 'real' | 'demo'; groupId: string; groupTitle: string; home: string };
  connected: boolean;
  servePid: number;
  workDir: string;
  /** The sandbox's fake DingTalk (OpenAPI), to send as the robot would. */
  dingtalkApiBase: string;
}

export interface RunningDemo {
  child: ChildProcess;
  info: DemoInfo;
  stderr(): string;
  /** SIGINT, then the exit code (SIGKILL after `timeoutMs`, which fails the caller's expectations). */
  interrupt(timeoutMs?: number): Promise<number | null>;
}

export async function runDemo(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 45_000): Promise<RunningDemo> {
  const child = spawn(process.execPath, ['--import', 'tsx', DEMO_MAIN, '--json', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const interrupt = async (ms = 30_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGINT');
    const cancelKill = killAfter(child, ms);
    const code = await exited;
    cancelKill();
    return code;
  };
  const started = new Promise<DemoInfo>((resolveInfo, reject) => {
    void exited.then((code) => reject(new Error(`the demo exited (${code}) before it started`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolveInfo(JSON.parse(line) as DemoInfo));
  });
  const info = await within(started, timeoutMs, 'the demo did not start').catch(async (err: unknown) => {
    await interrupt(5_000); // at once if it already exited
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${stderr}`);
  });
  return { child, info, stderr: () => stderr, interrupt };
}

/** Every descendant pid of `pid` (Linux /proc). */
export async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) continue;
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const c of parents.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
