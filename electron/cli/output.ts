/** How the CLI talks to a person: problems as message + hint (never a stack), log records as lines. */
import type { Problem } from '../core/errors';
import { BridgeError, toProblem } from '../core/errors';
import type { LogRecord } from '../core/log/logger';
import { redact, redactText } from '../core/log/redact';

/** A failure that ends a command with `exitCode`; the problem has already been worded for people. */
export class CliFailure extends Error {
  constructor(
    readonly problem: Problem,
    readonly exitCode = 1,
    readonly steps: string[] = [],
  ) {
    super(problem.message);
  }
}

/** An option the person gave that cannot be taken: what is wrong with it, and what to give instead. */
export function invalidOption(message: string, hint?: string): BridgeError {
  return new BridgeError({ code: 'config.invalid_option', message, ...(hint ? { hint } : {}), retryable: false });
}

// Secrets this command knows (the AppSecret its bridge reads): masked in everything it prints.
const outputSecrets = new Set<string>();

/** Adds secrets to mask in every line the CLI prints from now on. */
export function addOutputSecrets(...secrets: (string | undefined)[]): void {
  for (const s of secrets) if (s) outputSecrets.add(s);
}

// ANSI escape sequences (CSI, OSC, and other ESC forms), C0/C1 controls but newline and tab, and
// bidi overrides that would reorder what a person reads.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_X][^\x1b]*(?:\x1b\\)?|\x1b[ -~]?/g;
// Bidi marks and overrides: they reorder what a person reads.
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const CONTROLS = new RegExp(`[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f${BIDI}]`, 'g');
/** What JSON.stringify leaves raw but a terminal would act on. */
const JSON_UNSAFE = new RegExp(`[\\x7f-\\x9f${BIDI}]`, 'g');

/**
 * The one gate between text and the terminal: nicknames, group titles, server error texts and
 * log lines are untrusted, so no escape sequence, control character or secret gets through.
 */
export function terminalText(text: string): string {
  return withoutControls(redactText(text, [...outputSecrets]));
}

function withoutControls(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/**
 * The one line whose job is to hand the user a credential: `serve`'s own access token, which it
 * made itself. Controls are stripped; the token is not masked (a masked one opens nothing).
 */
export function outCredential(text: string): void {
  process.stdout.write(`${withoutControls(text)}\n`);
}

/** A QR code the qrcode library drew: block characters and its own colour codes only (the text it holds cannot reach the terminal), written as is. */
export function outQrCode(drawing: string): void {
  process.stdout.write(`${drawing}\n`);
}

export function out(text = ''): void {
  process.stdout.write(`${terminalText(text)}\n`);
}

export function err(text = ''): void {
  process.stderr.write(`${terminalText(text)}\n`);
}

/** JSON for scripts: secrets masked; controls are already escaped by JSON, bidi marks are escaped too. */
export function printJson(value: unknown): void {
  const json = JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  out(json);
}

/** "Error: message", then the hint and numbered steps, indented. */
export function formatProblem(problem: Problem, steps: string[] = [], prefix = 'Error: '): string {
  const lines = [`${prefix}${problem.message}`];
  if (problem.hint) lines.push(`  → ${problem.hint}`);
  steps.forEach((s, i) => lines.push(`  ${i + 1}. ${s}`));
  return lines.join('\n');
}

/** Turns anything thrown into what the user sees, and the exit code. */
export function reportFailure(error: unknown, secrets: readonly string[] = []): number {
  const failure = error instanceof CliFailure ? error : undefined;
  const problem = failure?.problem ?? toProblem(error);
  const safe = redact(problem, [...secrets, ...outputSecrets]) as Problem;
  err(formatProblem(safe, failure?.steps));
  return failure?.exitCode ?? 1;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function formatTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value instanceof Object) return JSON.stringify(value);
  return String(value);
}

/** `2025-01-02 10:11:12.345 INFO  bridge.stream  Stream connected  connection=1 reason=start` */
export function formatRecord(record: LogRecord): string {
  const fields = record.fields ? Object.entries(record.fields).map(([k, v]) => `${k}=${formatValue(v)}`) : [];
  return `${formatTime(record.ts)} ${record.level.toUpperCase().padEnd(5)} ${record.scope}  ${record.msg}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`;
}
