/**
 * CCCC's attachment store, `state/blobs/<sha256>_<sanitized name>`: what the daemon's `send`
 * accepts as `attachments[].path`. Inbound files are streamed to a temporary sibling while
 * hashed and counted, so a file over the cap or a broken download leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BridgeError } from '../../errors';
import { tempSibling } from '../../util/atomic-write';
import { sanitizeFilename } from './sanitize';

/** The attachment record `send` expects (and CCCC's own `store_blob_bytes` returns). */
export interface BlobAttachment {
  kind: string;
  path: string;
  title: string;
  mime_type: string;
  bytes: number;
  sha256: string;
}

export interface StoreBlobOptions {
  filename: string;
  mimeType?: string;
  /** Defaults to CCCC's rule: `image` for image/* MIME types, else `file`. */
  kind?: string;
  /** Size cap in bytes (`im.files.max_mb` × 1 MiB). */
  maxBytes: number;
}

export function blobsDir(groupDir: string): string {
  return join(groupDir, 'state', 'blobs');
}

export function blobTooLarge(filename: string, maxBytes: number): BridgeError {
  return new BridgeError({
    code: 'cccc.blob_too_large',
    message: `The file "${filename}" is larger than the ${Math.round((maxBytes / 1048576) * 10) / 10} MB limit.`,
    hint: 'Send a smaller file, or raise im.files.max_mb for this group.',
    retryable: false,
    details: { maxBytes },
  });
}

/** Streams `input` into the blob store; dedups on content + name like CCCC (an existing blob is kept). */
export async function storeBlob(groupDir: string, input: Readable, opts: StoreBlobOptions): Promise<BlobAttachment> {
  const dir = blobsDir(groupDir);
  await mkdir(dir, { recursive: true });
  const safe = sanitizeFilename(opts.filename);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > opts.maxBytes) return done(blobTooLarge(opts.filename, opts.maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const tmp = tempSibling(join(dir, safe));
  try {
    await pipeline(input, meter, createWriteStream(tmp, { flush: true }));
    const sha256 = hash.digest('hex');
    const name = `${sha256}_${safe}`;
    const target = join(dir, name);
    if (await exists(target)) await rm(tmp, { force: true });
    else await rename(tmp, target);
    const mime = opts.mimeType ?? '';
    return {
      kind: opts.kind ?? (mime.trim().toLowerCase().startsWith('image/') ? 'image' : 'file'),
      path: `state/blobs/${name}`,
      title: safe,
      mime_type: mime,
      bytes,
      sha256,
    };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
