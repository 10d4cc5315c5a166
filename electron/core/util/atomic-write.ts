/**
 * Atomic file replacement as CCCC does it (write a temporary sibling, then rename over the
 * target), so a reader — CCCC's or ours — only ever sees the old or the new complete file.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A unique temporary name beside `target`; CCCC uses fixed `.tmp` names, so never reuse them. */
export function tempSibling(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `target` atomically; fsync before rename so a crash leaves old or new, never
 * empty. `mode` applies from the moment the file exists (0o600 for secrets).
 */
export async function atomicWriteFile(target: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = tempSibling(target);
  try {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Rewrites `target` in place, for when no temporary copy fits (a full disk): only if the new
 * content fits in the blocks the file already holds, since writing there needs no new ones.
 * Not atomic — a reader may catch it half-written — so only for files a reader may skip.
 */
export async function overwriteInPlace(target: string, data: string): Promise<void> {
  const bytes = Buffer.from(data);
  const fh = await open(target, 'r+');
  try {
    const { size, blocks } = await fh.stat();
    if (bytes.length > Math.max(size, blocks * 512)) {
      throw Object.assign(new Error(`ENOSPC: ${target} has no room for ${bytes.length} bytes in place`), { code: 'ENOSPC' });
    }
    await writeFully(fh, bytes, 0);
    await fh.truncate(bytes.length);
  } finally {
    await fh.close();
  }
}

/**
 * Writes every byte or fails: write() may take fewer bytes than given (a disk filling up) and
 * only fails on the next call, so a single call proves nothing. `position` null appends.
 */
export async function writeFully(handle: FileHandle, bytes: Buffer, position: number | null): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position === null ? null : position + done);
    if (bytesWritten === 0) throw Object.assign(new Error(`No bytes written (${done} of ${bytes.length})`), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
