/**
 * CCCC's blob file-name rule (kernel/blobs.py `sanitize_filename`), re-implemented so the
 * names we write are the names CCCC would write: basename only, runs of [^a-zA-Z0-9._-] → `_`,
 * a name left as "just an extension" gets the stem `file`, no letter/digit at all → `file`,
 * at most 120 characters.
 */

// Python's str.strip() whitespace (str.isspace), which differs from JS trim() (e.g. \x1c-\x1f, \x85, not \uFEFF).
const PY_SPACE = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');
const UNSAFE_RUN = /[^a-zA-Z0-9._-]+/gu;

function pyStrip(s: string): string {
  return s.replace(PY_STRIP, '');
}

/** Python 3.11–3.13 PurePath suffix/stem: the last dot counts unless it leads or ends the name. */
function splitSuffix(name: string): { stem: string; suffix: string } {
  const i = name.lastIndexOf('.');
  if (i > 0 && i < name.length - 1) return { stem: name.slice(0, i), suffix: name.slice(i) };
  return { stem: name, suffix: '' };
}

export const MAX_SAFE_NAME = 120;

export function sanitizeFilename(name: string, fallback = 'file'): string {
  let raw = pyStrip(name ?? '');
  if (!raw) return fallback;
  raw = pyStrip(raw.replace(/\\/g, '/').split('/').pop() ?? '');
  if (!raw) return fallback;
  let cleaned = raw.replace(UNSAFE_RUN, '_');
  if (!cleaned) return fallback;
  const { stem, suffix } = splitSuffix(cleaned);
  if (suffix && !stem.replace(/[._-]+/g, '')) cleaned = `${fallback}${suffix}`;
  if (!/[a-zA-Z0-9]/.test(cleaned)) return fallback;
  return cleaned.length > MAX_SAFE_NAME ? cleaned.slice(0, MAX_SAFE_NAME) : cleaned;
}

/** A blob's own name in `state/blobs/<sha256>_<name>`, without the digest. */
export function blobFileName(path: string): string {
  const base = path.split('/').pop() ?? '';
  return base.replace(/^[0-9a-f]{64}_/, '') || 'file';
}
