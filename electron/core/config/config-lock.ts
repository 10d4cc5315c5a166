/**
 * One writer of the configuration at a time, across processes: the desktop app, `serve` and the
 * CLI may all be open on one config folder, and each change is a read-modify-write of
 * config.json. The lock is the instance lock's (instance-lock.ts: files created exclusively,
 * taken over from a dead process, no Python needed), in `<config home>/config.lock/`, waited for
 * briefly. Inside one process the callers queue instead: a lock file holding our own pid counts
 * as stale there, so two of our own writers would both get it.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeError } from '../errors';
import { backoffDelay } from '../util/backoff';
import { InstanceLock, lockHolder, type LockOwner } from './instance-lock';

export interface ConfigLockOptions {
  /** How long to wait for another process to finish its change; default 10 s. */
  timeoutMs?: number;
  /** What we are, for the message another process shows while it waits. */
  host?: LockOwner['host'];
}

const queues = new Map<string, Promise<unknown>>();

export function configLockDir(configHome: string): string {
  return join(configHome, 'config.lock');
}

/** Runs `change` while no other writer of `configHome`'s configuration runs. */
export function withConfigLock<T>(configHome: string, change: () => Promise<T>, o: ConfigLockOptions = {}): Promise<T> {
  const dir = configLockDir(configHome);
  const run = (queues.get(dir) ?? Promise.resolve()).then(async () => {
    const lock = await acquire(dir, configHome, o);
    try {
      return await change();
    } finally {
      await lock.release();
    }
  });
  const tail = run.catch(() => undefined);
  queues.set(dir, tail);
  void tail.then(() => {
    if (queues.get(dir) === tail) queues.delete(dir);
  });
  return run;
}

async function acquire(dir: string, configHome: string, o: ConfigLockOptions): Promise<InstanceLock> {
  const deadline = Date.now() + (o.timeoutMs ?? 10_000);
  // The owner fields of an instance lock; here they name the file being changed, not a bridge.
  const owner = { bridgeId: 'config.json', groupId: '', configHome, startedAt: Date.now(), ...(o.host ? { host: o.host } : {}) };
  for (let attempt = 0; ; attempt++) {
    const taken = await InstanceLock.acquire(dir, owner).catch(() => undefined);
    if (taken?.ok) return taken.lock;
    if (Date.now() >= deadline) {
      const holder = taken?.holder ?? (await lockHolder(dir));
      throw new BridgeError({
        code: 'config.locked',
        message: `${join(configHome, 'config.json')} is being changed by another process${holder ? ` (pid ${holder.pid})` : ''}; nothing was saved`,
        hint: 'Try again in a moment. If it stays locked, that process may be stuck: end it, then try again.',
        retryable: true,
        details: { file: join(configHome, 'config.json'), ...(holder ? { pid: holder.pid } : {}) },
      });
    }
    await sleep(backoffDelay(attempt, { baseMs: 5, capMs: 100, jitterMs: 10 }));
  }
}
