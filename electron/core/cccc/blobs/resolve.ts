/**
 * Turns a group-relative path from a ledger event (an agent's attachment, a spilled chat text)
 * into an absolute path we may read: never outside the allowed folder of the group, no `..`,
 * no absolute paths, no symlink leading elsewhere.
 */
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { BridgeError } from '../../errors';

export interface ResolvedFile {
  path: string;
  bytes: number;
}

function invalid(relPath: string, why: string): BridgeError {
  return new BridgeError({
    code: 'cccc.attachment_path_invalid',
    message: 'An attachment path in the CCCC ledger points outside the group’s files.',
    hint: 'The file was not sent. Attach files through CCCC so they are stored in the group.',
    retryable: false,
    details: { path: relPath.slice(0, 300), why },
  });
}

/**
 * @param root the group-relative folder the path must stay in, e.g. `state/blobs`
 *   (CCCC's own rule for attachments) or `state/ledger/blobs` (spilled chat text).
 */
export async function resolveGroupFile(groupDir: string, relPath: string, root = 'state/blobs'): Promise<ResolvedFile> {
  if (typeof relPath !== 'string' || !relPath.trim()) throw invalid(String(relPath), 'empty');
  if (relPath.includes('\0')) throw invalid(relPath, 'NUL byte');
  if (isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath) || /^[\\/]/.test(relPath)) throw invalid(relPath, 'absolute');
  // CCCC on Windows writes `state\\blobs\\…`; accept either separator.
  const parts = relPath.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw invalid(relPath, 'parent segment');
  const rootParts = root.split('/');
  if (parts.length <= rootParts.length || rootParts.some((p, i) => parts[i] !== p)) throw invalid(relPath, `not under ${root}`);

  let real: string;
  let realRoot: string;
  let realGroup: string;
  try {
    realGroup = await realpath(groupDir);
    realRoot = await realpath(join(groupDir, ...rootParts));
    real = await realpath(join(groupDir, ...parts));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new BridgeError(
      {
        code: 'cccc.attachment_missing',
        message: 'A file attached in CCCC no longer exists.',
        hint: 'Ask the agent to attach it again.',
        retryable: false,
        details: { path: relPath.slice(0, 300) },
      },
      { cause: err },
    );
  }
  // Both checks: a symlinked file, and a symlinked folder (e.g. state/blobs itself) leading elsewhere.
  if (!real.startsWith(realRoot + sep) || !real.startsWith(realGroup + sep)) throw invalid(relPath, 'symlink escape');
  const st = await stat(real);
  if (!st.isFile()) throw invalid(relPath, 'not a file');
  return { path: real, bytes: st.size };
}
