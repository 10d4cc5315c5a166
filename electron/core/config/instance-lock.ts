/**
 * "Never two bridges on one app or group": a lock per DingTalk app and per CCCC group that any
 * instance of ours (this CLI, the desktop app, whatever its config folder) takes before it
 * connects. The locks live under `${CCCC_HOME}/locks/cccc-dingtalk/`, beside CCCC's own
 * per-app locks, because that is the one place every instance serving the group shares.
 *
 * Why it is safe without a kernel lock (Node has no flock): a lock is a folder of numbered
 * files `<n>.lock`, each holding its owner (pid, bridge, start time); the highest number is the
 * current one. To take the lock, an instance reads the highest file `n` and, only if that owner
 * is gone (dead pid, or marked released), creates `n+1` exclusively — with `link()`, so the
 * file appears with its whole content or not at all. Of several instances racing for a stale
 * lock exactly one creates `n+1`; the others get EEXIST, look again and find a live owner.
 * The winner then lists the folder once more: if a higher number exists (it had read an old
 * listing), it withdraws. Numbers only grow — a clean stop marks its file released instead of
 * deleting it, and only files below the owner's are removed — so a late instance can never
 * re-create a number that would make it the owner beside a live one. A stale lock of a
 * crashed (even SIGKILLed) process is taken over by the next start, and a recycled PID errs on
 * the safe side (the lock looks held; the message names the pid).
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { pidIsAlive } from '../cccc/group/detect';

export const lockOwnerSchema = z.object({
  pid: z.number().int().positive(),
  bridgeId: z.string(),
  groupId: z.string(),
  /** The config folder (CLI) or profile store (desktop app) of the owner. */
  configHome: z.string(),
  startedAt: z.number(),
  /** Which kind of instance holds it, to tell the user how to stop it (absent: the CLI). */
  host: z.enum(['cli', 'app', 'serve']).optional(),
  released: z.boolean().optional(),
});

export type LockOwner = z.infer<typeof lockOwnerSchema>;

export type AcquireResult = { ok: true; lock: InstanceLock } | { ok: false; holder: LockOwner };

export interface LockOptions {
  isAlive?: (pid: number) => boolean;
  /** The acquiring process; default `process.pid` (tests play several processes). */
  pid?: number;
  /** Tries when other instances keep winning races; default 20. */
  attempts?: number;
}

const LOCK_FILE = /^(\d+)\.lock$/;

export function instanceLocksDir(ccccHome: string): string {
  return join(ccccHome, 'locks', 'cccc-dingtalk');
}

/** Lock folder for a CCCC group. */
export function groupLockDir(ccccHome: string, groupId: string): string {
  return join(instanceLocksDir(ccccHome), `group-${fingerprint(groupId)}`);
}

/** Lock folder for a DingTalk app (the AppKey is not a secret, but stays out of file names). */
export function appLockDir(ccccHome: string, appKey: string): string {
  return join(instanceLocksDir(ccccHome), `app-${fingerprint(appKey)}`);
}

function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

async function generations(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((n) => LOCK_FILE.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = lockOwnerSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // gone or damaged: nobody can be proven to hold it
  }
}

function isLive(owner: LockOwner | undefined, options: LockOptions): owner is LockOwner {
  // Our own pid in an old file is a previous life of a recycled pid (containers), not us.
  return owner !== undefined && owner.released !== true && owner.pid !== (options.pid ?? process.pid) && (options.isAlive ?? pidIsAlive)(owner.pid);
}

/** The live owner of the lock in `dir`, if any. */
export async function lockHolder(dir: string, options: LockOptions = {}): Promise<LockOwner | undefined> {
  const top = (await generations(dir)).at(-1);
  if (top === undefined) return undefined;
  const owner = await readOwner(join(dir, `${top}.lock`));
  return isLive(owner, options) ? owner : undefined;
}

export class InstanceLock {
  private released = false;

  private constructor(
    readonly dir: string,
    private readonly generation: number,
    readonly owner: LockOwner,
  ) {}

  /** Takes the lock in `dir` for `owner`, or names the live instance that holds it. */
  static async acquire(dir: string, owner: Omit<LockOwner, 'pid' | 'released'>, options: LockOptions = {}): Promise<AcquireResult> {
    const me: LockOwner = { ...owner, pid: options.pid ?? process.pid };
    await mkdir(dir, { recursive: true });
    for (let attempt = 0; attempt < (options.attempts ?? 20); attempt++) {
      const top = (await generations(dir)).at(-1) ?? 0;
      if (top > 0) {
        const current = await readOwner(join(dir, `${top}.lock`));
        if (isLive(current, options)) return { ok: false, holder: current };
      }
      const mine = top + 1;
      const path = join(dir, `${mine}.lock`);
      const claim = join(dir, `.claim.${me.pid}.${randomBytes(4).toString('hex')}`);
      await writeFile(claim, JSON.stringify(me), { mode: 0o644 });
      try {
        await link(claim, path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw err;
      } finally {
        await rm(claim, { force: true });
      }
      const after = await generations(dir);
      if (after.at(-1) !== mine) {
        await rm(path, { force: true }); // a newer lock exists: ours was built on an old listing
        continue;
      }
      for (const g of after) if (g < mine) await rm(join(dir, `${g}.lock`), { force: true });
      return { ok: true, lock: new InstanceLock(dir, mine, me) };
    }
    const holder = await lockHolder(dir, options);
    if (holder) return { ok: false, holder };
    throw new Error(`Could not take the lock in ${dir}: other instances keep racing for it`);
  }

  /** Marks the lock released (kept as a file: numbers must only grow). Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const path = join(this.dir, `${this.generation}.lock`);
    const tmp = join(this.dir, `.release.${process.pid}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, JSON.stringify({ ...this.owner, released: true }), { mode: 0o644 });
    await rename(tmp, path);
  }
}
