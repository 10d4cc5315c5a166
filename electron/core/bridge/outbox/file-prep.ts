/**
 * Turns a file on disk into something DingTalk's media upload accepts: the upload type from
 * the extension, or — for extensions DingTalk takes under no type — a zip of the file, sent
 * as `<name>.zip`. Sizes are checked before anything is uploaded; the problems say what to do.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { zipSync } from 'fflate';
import { BridgeError } from '../../errors';
import { checkUpload, extensionOf, mediaTypeFor, MEDIA_RULES, type MediaType } from '../../dingtalk/media-rules';

export interface PreparedFile {
  type: MediaType;
  /** Name for the upload and the file message (may differ from the original: `.zip`, `.jpg`). */
  name: string;
  data: Buffer;
  zipped: boolean;
}

/** Files larger than this are not even read for zipping: no compression brings them under 20 MB in practice. */
export const MAX_ZIP_INPUT_BYTES = 200 * 1024 * 1024;

function fileProblem(code: string, message: string, retryable: boolean, hint?: string): BridgeError {
  return new BridgeError({ code, message, retryable, ...(hint ? { hint } : {}) });
}

function readProblem(err: unknown, fileName: string): BridgeError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return fileProblem('outbox.file_missing', `${fileName} is no longer there, so it could not be sent`, false);
  if (code === 'EACCES' || code === 'EPERM') {
    return fileProblem('outbox.file_unreadable', `${fileName} cannot be read (permission denied)`, false, 'Check the file permissions.');
  }
  // EMFILE, EBUSY and friends pass.
  return fileProblem('outbox.file_read_failed', `${fileName} could not be read (${code ?? 'error'}) — will retry`, true);
}

export async function prepareFile(path: string, fileName: string, maxZipInputBytes = MAX_ZIP_INPUT_BYTES): Promise<PreparedFile> {
  const displayName = basename(fileName);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw fileProblem('outbox.not_a_file', `${displayName} is not a regular file`, false);
    size = info.size;
  } catch (err) {
    throw err instanceof BridgeError ? err : readProblem(err, displayName);
  }

  const type = mediaTypeFor(displayName);
  if (type) {
    // DingTalk's image upload knows .jpg but not .jpeg; the bytes are the same format.
    const name = extensionOf(displayName) === 'jpeg' ? `${displayName.slice(0, -'.jpeg'.length)}.jpg` : displayName;
    const early = checkUpload(type, name, size);
    if (early) throw new BridgeError(early);
    const data = await read(path, displayName);
    const late = checkUpload(type, name, data.length);
    if (late) throw new BridgeError(late);
    return { type, name, data, zipped: false };
  }

  const name = `${displayName}.zip`;
  if (size > maxZipInputBytes) {
    throw fileProblem(
      'dingtalk.media_too_large',
      `${displayName} is too large to send (${(size / 1024 / 1024).toFixed(1)} MB)`,
      false,
      `DingTalk takes files up to ${MEDIA_RULES.file.maxBytes / 1024 / 1024} MB; share it another way.`,
    );
  }
  const original = await read(path, displayName);
  const data = Buffer.from(zipSync({ [displayName]: [original, { level: 6 }] }));
  const problem = checkUpload('file', name, data.length);
  if (problem) throw new BridgeError({ ...problem, message: `${problem.message} even when zipped` });
  return { type: 'file', name, data, zipped: true };
}

async function read(path: string, displayName: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw readProblem(err, displayName);
  }
}
