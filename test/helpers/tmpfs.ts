/**
 * A small real tmpfs for disk-full tests (mounting needs root; CI runs as root). `fill()` takes
 * every free byte with a filler file, `free()` gives them back.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe } from 'vitest';

const run = promisify(execFile);

/** Why tmpfs tests cannot run here, or undefined when they can. */
export const tmpfsUnavailable: string | undefined =
  process.platform !== 'linux' ? 'tmpfs is Linux-only' : process.getuid?.() === 0 ? undefined : 'needs root to mount a tmpfs';

export interface Tmpfs {
  dir: string;
  /** Fills the file system to the last byte. */
  fill(): Promise<void>;
  /** Removes the filler. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

export async function mountTmpfs(sizeKiB: number): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), 'tmpfs-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  const filler = join(dir, '.filler');
  return {
    dir,
    async fill() {
      const fh = await open(filler, 'a');
      try {
        // Big pieces first, then smaller ones down to a byte, until nothing fits.
        for (let size = 64 * 1024; size >= 1; size = Math.floor(size / 2)) {
          const chunk = Buffer.alloc(size, 120);
          for (;;) {
            try {
              const { bytesWritten } = await fh.write(chunk);
              if (bytesWritten < size) break;
            } catch {
              break;
            }
          }
        }
      } finally {
        await fh.close();
      }
    },
    async free() {
      await rm(filler, { force: true });
    },
    async unmount() {
      // Lazy: a file a failed test left open must not leave the mount behind.
      await run('umount', ['-l', dir]);
      await rmdir(dir);
    },
  };
}

/**
 * A describe block with its own tmpfs of `sizeKiB`, mounted before its tests and unmounted after;
 * skipped, with the reason in its name, where no tmpfs can be mounted.
 */
export function describeOnTmpfs(name: string, sizeKiB: number, body: (tmpfs: () => Tmpfs) => void): void {
  describe.skipIf(tmpfsUnavailable !== undefined)(`${name}${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
    let mounted: Tmpfs | undefined;
    beforeAll(async () => {
      mounted = await mountTmpfs(sizeKiB);
    });
    afterAll(async () => mounted?.unmount());
    body(() => {
      if (!mounted) throw new Error('the tmpfs is not mounted');
      return mounted;
    });
  });
}
