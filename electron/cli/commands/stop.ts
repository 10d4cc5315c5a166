/**
 * `cccc-dingtalk stop`: SIGTERM to the process that holds this bridge's group lock (not just
 * whatever the pid file names: a pid can be recycled), then wait until it is gone.
 */
import { rm } from 'node:fs/promises';
import { pidIsAlive } from '../../core/cccc/group/detect';
import { groupHolder, isSameBridge } from '../../core/config/guards';
import { loadBridge } from '../context';
import { CliFailure, out } from '../output';

export interface StopOptions {
  bridge?: string;
  timeout?: string;
}

export async function stopCommand(o: StopOptions): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const holder = await groupHolder(ctx.target);
  if (!holder || !isSameBridge(ctx.target, holder)) {
    await rm(ctx.paths.pid, { force: true });
    out(`Bridge "${ctx.profile.id}" is not running.`);
    return 0;
  }
  const timeoutMs = Math.max(1, Number(o.timeout ?? 20)) * 1000;
  process.kill(holder.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (pidIsAlive(holder.pid)) {
    if (Date.now() > deadline) {
      throw new CliFailure({
        code: 'bridge.stop_timeout',
        message: `Bridge "${ctx.profile.id}" (pid ${holder.pid}) did not stop within ${timeoutMs / 1000} s`,
        hint: `\`cccc-dingtalk logs\` shows what it is doing; \`kill -9 ${holder.pid}\` ends it at once (its outbox is kept for the next start).`,
        retryable: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  out(`Stopped bridge "${ctx.profile.id}" (pid ${holder.pid}).`);
  return 0;
}
