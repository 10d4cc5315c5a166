/**
 * `--smoke-test`: proof that a packaged build really starts, for CI (the Linux package under
 * xvfb). The app starts as it always does — stores, services, tray, window — but starts no
 * bridge; once the page has loaded, it calls one API method through the preload and IPC, the
 * app stops its services and exits: 0 when every step worked, 1 with the failure on stderr.
 */
import { z } from 'zod';
import { waitAtMost } from '../core/util/sleep';

export const SMOKE_TEST_FLAG = '--smoke-test';
/** A cold start of a packaged app on a CI runner takes seconds; this is the limit for all of it. */
export const SMOKE_TEST_TIMEOUT_MS = 60_000;
/** Stopping the services after the check may take this long before the app exits anyway. */
const STOP_TIMEOUT_MS = 15_000;

/** What the page runs: the preload's API (window.cccc), one harmless call, answered by main over IPC. */
export const ROUND_TRIP_SCRIPT = "window.cccc.invoke('listBridges', {})";

export function isSmokeTest(argv: readonly string[]): boolean {
  return argv.includes(SMOKE_TEST_FLAG);
}

/** The parts of the window's webContents the check uses. */
export interface SmokePage {
  isLoading(): boolean;
  once(event: 'did-finish-load', listener: () => void): unknown;
  once(event: 'did-fail-load', listener: (event: unknown, errorCode: number, errorDescription: string) => void): unknown;
  executeJavaScript(code: string): Promise<unknown>;
}

export interface SmokeTestOptions {
  /** Whether the tray icon exists. */
  tray: () => boolean;
  /** The app window's page, if a window was created. */
  page: () => SmokePage | undefined;
  timeoutMs?: number;
}

export type SmokeResult = { ok: true; detail: string } | { ok: false; message: string };

const answerSchema = z.union([
  z.object({ ok: z.literal(true), result: z.array(z.unknown()) }),
  z.object({ ok: z.literal(false), problem: z.object({ code: z.string(), message: z.string() }) }),
]);

function loaded(page: SmokePage): Promise<void> {
  if (!page.isLoading()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    page.once('did-finish-load', () => resolve());
    page.once('did-fail-load', (_event, code, description) => reject(new Error(`the page did not load: ${description} (${code})`)));
  });
}

async function check(o: SmokeTestOptions): Promise<SmokeResult> {
  if (!o.tray()) return { ok: false, message: 'there is no tray icon' };
  const page = o.page();
  if (!page) return { ok: false, message: 'there is no window' };
  await loaded(page);
  const answer = answerSchema.safeParse(await page.executeJavaScript(ROUND_TRIP_SCRIPT));
  if (!answer.success) return { ok: false, message: 'the page got no API answer over IPC (is the preload loaded?)' };
  if (!answer.data.ok) return { ok: false, message: `the API call failed: ${answer.data.problem.code}: ${answer.data.problem.message}` };
  return { ok: true, detail: `tray, window and an IPC round trip (listBridges: ${answer.data.result.length} bridges)` };
}

/** Runs the check once the app has started; never rejects. */
export async function runSmokeTest(o: SmokeTestOptions): Promise<SmokeResult> {
  const ms = o.timeoutMs ?? SMOKE_TEST_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<SmokeResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, message: `no answer within ${ms / 1000} s` }), ms);
  });
  try {
    return await Promise.race([check(o).catch((err: unknown) => ({ ok: false as const, message: err instanceof Error ? err.message : String(err) })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SmokeExit {
  /** Stops the services (the bridges, the sandbox); bounded by a time limit. */
  stop: () => Promise<void>;
  exit: (code: number) => void;
  write: (line: string) => void;
}

/** Says how the smoke test went, stops the app's services, and exits with 0 or 1. */
export async function finishSmokeTest(result: SmokeResult, o: SmokeExit): Promise<void> {
  o.write(result.ok ? `smoke test passed: ${result.detail}` : `smoke test failed: ${result.message}`);
  await waitAtMost(o.stop(), STOP_TIMEOUT_MS);
  o.exit(result.ok ? 0 : 1);
}
