/** A bridge (or one app's bridges) in a process of its own (bridge-child.script.ts), to kill with SIGKILL. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { within } from '../helpers/wait';

const script = fileURLToPath(new URL('./bridge-child.script.ts', import.meta.url));

/** Starts it and resolves once its Stream is connected; `cleanup` gets its kill. */
export function startBridgeChild(config: unknown, cleanup: Array<() => Promise<void>>): Promise<ChildProcess> {
  // One process (not the tsx CLI, which forks): SIGKILL must hit the bridge itself.
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, BRIDGE_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => kill9(child));
  const connected = new Promise<ChildProcess>((resolve) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('connected')) resolve(child);
    });
  });
  return within(connected, 15_000, 'bridge child did not connect');
}

export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
