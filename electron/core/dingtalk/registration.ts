/**
 * One-scan setup (docs/dingtalk-protocol.md §11): asks DingTalk for a registration code, hands it
 * to the caller to show as a QR code, and polls until the admin has scanned it and DingTalk
 * created the robot app — or refused, failed, expired, or the caller cancelled. Every ending is a
 * value; only the success carries the Client Secret, which nothing here logs.
 */
import type { z } from 'zod';
import { toProblem, type Problem } from '../errors';
import { silentLogger, type Logger } from '../log/logger';
import { backoffDelay, type BackoffPolicy } from '../util/backoff';
import { sleep } from '../util/sleep';
import {
  beginAnswerSchema,
  initAnswerSchema,
  pollAnswerSchema,
  readAnswer,
  REGISTRATION_REFUSED,
  REGISTRATION_SOURCE,
  type RegistrationPost,
  type RegistrationStep,
} from './registration-api';

/** What the person scans, and how long it is good for. */
export interface RegistrationCode {
  /** DingTalk's page for this registration: the QR code's content. */
  verificationUrl: string;
  userCode?: string;
  /** When the wait ends (ms since epoch): DingTalk's expiry or our own bound, whichever is first. */
  expiresAt: number;
  intervalMs: number;
}

export type RegistrationOutcome =
  | { kind: 'success'; clientId: string; clientSecret: string }
  /** refused: DingTalk said no (errcode ≠ 0); failed: the scan ended without an app (FAIL); error: it could not be asked. */
  | { kind: 'refused' | 'failed' | 'expired' | 'error'; problem: Problem }
  | { kind: 'cancelled' };

export interface RegistrationOptions {
  post: RegistrationPost;
  /** Called once, as soon as there is a code to show. */
  onCode: (code: RegistrationCode) => void;
  signal?: AbortSignal;
  /** The longest wait for the scan, however long DingTalk would keep the code. Default 10 minutes. */
  maxWaitMs?: number;
  logger?: Logger;
  random?: () => number;
}

export const DEFAULT_MAX_WAIT_MS = 10 * 60_000;
/** Whatever DingTalk says, never a tighter loop than this, nor a slower one than the cap. */
export const MIN_INTERVAL_MS = 1_000;
export const MAX_INTERVAL_MS = 60_000;
const DEFAULT_INTERVAL_S = 2;
/** Polls that could not be answered (network, server trouble) are tried again later and later. */
const TROUBLE_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 30_000, jitterMs: 500 };

const clampInterval = (seconds: number): number => Math.min(Math.max(Math.round(seconds * 1000), MIN_INTERVAL_MS), MAX_INTERVAL_MS);

export const expiredProblem = (): Problem => ({
  code: 'dingtalk.registration_expired',
  message: 'The QR code expired before the app was created',
  hint: 'Scan again for a new code, or create the app in the developer console.',
  retryable: false,
});

function failedProblem(reason: string | undefined): Problem {
  return {
    code: 'dingtalk.registration_failed',
    message: `DingTalk did not create the app${reason ? `: ${reason.slice(0, 200)}` : ''}`,
    hint: 'Scan again, or create the app in the developer console: the manual steps work as before.',
    retryable: false,
    ...(reason ? { details: { reason: reason.slice(0, 200) } } : {}),
  };
}

function ending(err: unknown): RegistrationOutcome {
  const problem = toProblem(err, 'dingtalk.network');
  return { kind: problem.code === REGISTRATION_REFUSED ? 'refused' : 'error', problem };
}

export async function registerApp(o: RegistrationOptions): Promise<RegistrationOutcome> {
  const log = o.logger ?? silentLogger;
  const signal = o.signal;
  const call = async <T>(step: RegistrationStep, body: Record<string, string>, schema: z.ZodType<T>): Promise<T> =>
    readAnswer(step, await o.post(step, body, signal), schema);

  let deviceCode: string;
  let deadline: number;
  let intervalMs: number;
  try {
    const init = await call('init', { source: REGISTRATION_SOURCE }, initAnswerSchema);
    const begin = await call('begin', { nonce: init.nonce }, beginAnswerSchema);
    deviceCode = begin.device_code;
    deadline = Date.now() + Math.min(begin.expires_in * 1000, o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS);
    intervalMs = clampInterval(begin.interval ?? DEFAULT_INTERVAL_S);
    const code: RegistrationCode = { verificationUrl: begin.verification_uri_complete, expiresAt: deadline, intervalMs };
    if (begin.user_code) code.userCode = begin.user_code;
    log.info('Waiting for the registration QR code to be scanned', { expiresAt: deadline, intervalMs });
    o.onCode(code);
  } catch (err) {
    return signal?.aborted ? { kind: 'cancelled' } : ending(err);
  }

  let troubles = 0;
  for (;;) {
    const wait = troubles === 0 ? intervalMs : Math.max(intervalMs, backoffDelay(troubles - 1, TROUBLE_BACKOFF, o.random));
    await sleep(Math.min(wait, Math.max(0, deadline - Date.now())), signal);
    if (signal?.aborted) return { kind: 'cancelled' };
    if (Date.now() >= deadline) return { kind: 'expired', problem: expiredProblem() };
    let answer;
    try {
      answer = await call('poll', { device_code: deviceCode }, pollAnswerSchema);
    } catch (err) {
      if (signal?.aborted) return { kind: 'cancelled' };
      const problem = toProblem(err, 'dingtalk.network');
      if (!problem.retryable) return ending(err);
      // Asked to slow down: poll half as often from now on. Other trouble: back off until it passes.
      if (problem.code === 'dingtalk.rate_limited') intervalMs = Math.min(intervalMs * 2, MAX_INTERVAL_MS);
      else troubles += 1;
      log.debug('Registration poll not answered; trying again', { code: problem.code, intervalMs });
      continue;
    }
    troubles = 0;
    if (answer.interval !== undefined) intervalMs = Math.max(intervalMs, clampInterval(answer.interval));
    switch (answer.status) {
      case 'SUCCESS':
        if (!answer.client_id || !answer.client_secret) {
          return {
            kind: 'error',
            problem: { code: 'dingtalk.bad_answer', message: 'DingTalk reported success without the app’s credentials', retryable: false },
          };
        }
        log.info('DingTalk created the app', { appKey: answer.client_id });
        return { kind: 'success', clientId: answer.client_id, clientSecret: answer.client_secret };
      case 'FAIL':
        return { kind: 'failed', problem: failedProblem(answer.fail_reason) };
      case 'EXPIRED':
        return { kind: 'expired', problem: expiredProblem() };
      default:
        // WAITING, or a state we do not know yet (e.g. scanned, not confirmed): keep waiting.
        break;
    }
  }
}
