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
 *
 * Besides the locks under CCCC_HOME, each app has one machine-wide lock (`machineAppLockDir`):
 * bridges from different CCCC homes, config folders or OS users do not share CCCC_HOME, and
 * DingTalk gives each push to one of the app's connections at random — it says nothing to a
 * connection about the others, so this lock is the only reliable sign. Its folders are shared
 * by every user like /tmp itself (mode 1777: anyone may add a lock, nobody may remove
 * another's), files are created exclusively (never through a planted symlink) and read only if
 * they are small regular files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, lstat, mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BridgeError } from '../errors';
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
  /** The owner's CCCC_HOME and OS user, to say which home holds the app (absent in old locks). */
  ccccHome: z.string().optional(),
  user: z.string().optional(),
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
  /** The folder and its parent are shared by every OS user (see `machineAppLockDir`). */
  shared?: boolean;
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

/**
 * Where every instance on this machine looks, whoever runs it: /tmp on POSIX (not
 * os.tmpdir(), which is per user on macOS), ProgramData on Windows.
 */
export function machineLocksRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'win32') return join(env['ProgramData'] ?? tmpdir(), 'cccc-dingtalk', 'locks');
  return '/tmp/cccc-dingtalk-locks';
}

/** Machine-wide lock folder for a DingTalk app, keyed by the DingTalk it lives on and its AppKey (never the secret). */
export function machineAppLockDir(root: string, apiBase: string, appKey: string): string {
  return join(root, `app-${fingerprint(`${new URL(apiBase).origin}\n${appKey}`)}`);
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

const MAX_LOCK_BYTES = 64 * 1024;

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    // Not through a symlink, not blocking on a FIFO, not a huge file: others may write this folder.
    const file = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    try {
      const info = await file.stat();
      if (!info.isFile() || info.size > MAX_LOCK_BYTES) return undefined;
      const parsed = lockOwnerSchema.safeParse(JSON.parse(await file.readFile('utf8')));
      return parsed.success ? parsed.data : undefined;
    } finally {
      await file.close();
    }
  } catch {
    return undefined; // gone or damaged: nobody can be proven to hold it
  }
}

/** A folder every user may add locks to and nobody may remove another's from: 1777, like /tmp. */
async function sharedFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o1777 });
  if (process.platform === 'win32') return;
  const info = await lstat(dir);
  const mode = info.mode & 0o7777;
  if (info.isDirectory() && info.uid === process.getuid?.() && mode !== 0o1777) await chmod(dir, 0o1777);
  else if (!info.isDirectory() || ((mode & 0o002) !== 0 && (mode & 0o1000) === 0)) {
    throw new BridgeError({
      code: 'bridge.lock_folder_unsafe',
      message: `The machine-wide lock folder ${dir} is not a folder, or anyone may delete its files`,
      hint: `Remove it (as its owner or root); the next start creates it with mode 1777 like /tmp.`,
      retryable: false,
    });
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
    if (options.shared) {
      await sharedFolder(dirname(dir));
      await sharedFolder(dir);
    } else {
      await mkdir(dir, { recursive: true });
    }
    for (let attempt = 0; attempt < (options.attempts ?? 20); attempt++) {
      const top = (await generations(dir)).at(-1) ?? 0;
      if (top > 0) {
        const current = await readOwner(join(dir, `${top}.lock`));
        if (isLive(current, options)) return { ok: false, holder: current };
      }
      const mine = top + 1;
      const path = join(dir, `${mine}.lock`);
      const claim = join(dir, `.claim.${me.pid}.${randomBytes(4).toString('hex')}`);
      await writeFile(claim, JSON.stringify(me), { mode: 0o644, flag: 'wx' });
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
      // Another user's old files stay (a shared folder is sticky); the highest number decides anyway.
      for (const g of after) if (g < mine) await rm(join(dir, `${g}.lock`), { force: true }).catch(() => undefined);
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
    await writeFile(tmp, JSON.stringify({ ...this.owner, released: true }), { mode: 0o644, flag: 'wx' });
    await rename(tmp, path);
  }
}
