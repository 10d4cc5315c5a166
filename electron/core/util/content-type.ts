/**
 * Content-Type headers from the one MIME table (`mime-types`), for files a server of ours
 * hands out. Each server names the extensions it is willing to serve as typed: an allowlist,
 * because the type decides what a browser does with the file (an .svg or .html shown inline
 * could run script in that origin).
 */
import { extname } from 'node:path';
import { contentType } from 'mime-types';

/** The Content-Type for `fileName` when its extension (`.png`, any case) is in `allowed`; undefined otherwise. */
export function contentTypeFor(fileName: string, allowed: ReadonlySet<string>): string | undefined {
  const ext = extname(fileName).toLowerCase();
  if (!allowed.has(ext)) return undefined;
  return contentType(ext) || undefined;
}
