/**
 * Where a JSON file a person edits is wrong, by line: "config.json line 7: bridges[0].appSecretEnv: …".
 */
import { basename } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';

function lineOfOffset(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset)).split('\n').length;
}

/** Where JSON.parse gave up. V8 names the position for most errors but not all, so without one
 * find the longest prefix that could still begin a valid document (a monotone property). */
function errorOffset(text: string, message: string): number {
  const stated = /position (\d+)/.exec(message)?.[1];
  if (stated !== undefined) return Number(stated);
  const viable = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const m = (e as Error).message;
      const at = /position (\d+)/.exec(m)?.[1];
      return at !== undefined ? Number(at) >= n : /end of JSON input/.test(m);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `bridges[0].settings.maxFileMb` */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The line of the deepest node of `path` present in the text (a missing key: its parent's line). */
function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

export function describeIssues(file: string, text: string, error: z.ZodError): string {
  const name = basename(file);
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const line = lineOfPath(text, issue.path);
      const where = issue.path.length ? `${formatPath(issue.path)}: ` : '';
      return `${name}${line ? ` line ${line}` : ''}: ${where}${issue.message}`;
    })
    .join('\n');
}

/** "config.json line 3: not valid JSON (Unexpected token ',')" for a JSON.parse failure. */
export function describeSyntaxError(file: string, text: string, err: Error): string {
  const line = lineOfOffset(text, errorOffset(text, err.message));
  const why = err.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, .*is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'the file ends too early');
  return `${basename(file)} line ${line}: not valid JSON (${why})`;
}
