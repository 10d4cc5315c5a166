/**
 * The three calls of DingTalk's device-flow registration (docs/dingtalk-protocol.md §11) on the
 * legacy OAPI host: `init` (our product's `source` → a nonce), `begin` (nonce → the code to show
 * as a QR code) and `poll` (the code → how the scan went). Answers are validated here; what goes
 * wrong becomes a problem: retryable when it may pass (network, rate limits, server trouble),
 * `dingtalk.registration_refused` when DingTalk said no (errcode ≠ 0, or a 4xx).
 */
import { z } from 'zod';
import { BridgeError, type Problem } from '../errors';
import { networkProblem, problemFromResponse } from './errors';
import { send } from './http';

/** This product's own name with DingTalk's registration: never another integration's. */
export const REGISTRATION_SOURCE = 'CCCC_DINGTALK';

export const REGISTRATION_REFUSED = 'dingtalk.registration_refused';

export type RegistrationStep = 'init' | 'begin' | 'poll';

/** An answer as it came: HTTP status and the parsed JSON body (undefined when it was not JSON). */
export interface RegistrationAnswer {
  status: number;
  body: unknown;
}

/** Sends one call; throws a BridgeError only when no answer came (network, timeout, cancel). */
export type RegistrationPost = (step: RegistrationStep, body: Record<string, string>, signal?: AbortSignal) => Promise<RegistrationAnswer>;

const seconds = z.number().positive().finite();
/** Shown as a link and put in a QR code: a web address, nothing a page could run. */
const webUrl = z
  .string()
  .url()
  .refine((u) => /^https?:$/.test(new URL(u).protocol), 'an http(s) address');

const ok = z.literal(0);

export const initAnswerSchema = z.object({ errcode: ok, nonce: z.string().min(1).max(512), expires_in: seconds.optional() });

export const beginAnswerSchema = z.object({
  errcode: ok,
  device_code: z.string().min(1).max(512),
  user_code: z.string().max(64).optional(),
  verification_uri_complete: webUrl,
  expires_in: seconds,
  interval: seconds.optional(),
});

export const pollAnswerSchema = z.object({
  errcode: ok,
  /** WAITING, SUCCESS, FAIL or EXPIRED; anything else is read as still waiting. */
  status: z.string(),
  client_id: z.string().min(1).max(128).optional(),
  client_secret: z.string().min(1).max(256).optional(),
  fail_reason: z.string().optional(),
  /** A longer interval DingTalk asks for while waiting (assumed, as in the device flows it follows). */
  interval: seconds.optional(),
});

const errorHead = z.object({ errcode: z.number(), errmsg: z.string().optional() });

/** At most this much of a text DingTalk wrote goes into a message a person reads. */
const SAID_MAX = 200;

export function refusedProblem(step: RegistrationStep, status: number, errcode: number | undefined, errmsg: string | undefined): Problem {
  const said = errmsg ? `: ${errmsg.slice(0, SAID_MAX)}` : '';
  return {
    code: REGISTRATION_REFUSED,
    message: `DingTalk refused one-scan setup (${errcode !== undefined ? `errcode ${errcode}${said}` : `HTTP ${status}`})`,
    hint: 'Create the app in the DingTalk developer console instead: the manual steps work as before.',
    retryable: false,
    details: { step, status, ...(errcode !== undefined ? { errcode } : {}) },
  };
}

/** The answer's fields when DingTalk said yes; else the problem (thrown as a BridgeError). */
export function readAnswer<T>(step: RegistrationStep, answer: RegistrationAnswer, schema: z.ZodType<T>): T {
  const { status, body } = answer;
  const head = errorHead.safeParse(body);
  const accepted = status >= 200 && status < 300 && head.success && head.data.errcode === 0;
  if (!accepted) {
    const problem = problemFromResponse(status, body, `registration.${step}`);
    // Rate limits and server trouble may pass; anything else DingTalk answered is a no.
    if (problem.retryable) throw new BridgeError(problem);
    throw new BridgeError(refusedProblem(step, status, head.success ? head.data.errcode : undefined, head.success ? head.data.errmsg : undefined));
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new BridgeError({
      code: 'dingtalk.bad_answer',
      message: `DingTalk sent an unexpected answer to registration.${step}`,
      retryable: false,
      details: { step, field: parsed.error.issues[0]?.path.join('.') ?? '' },
    });
  }
  return parsed.data;
}

/** The calls over HTTP, to `{oapiBase}/app/registration/{step}`. */
export function httpRegistrationPost(oapiBase: string, timeoutMs?: number): RegistrationPost {
  return async (step, body, signal) => {
    const api = `registration.${step}`;
    const res = await send({
      method: 'POST',
      url: `${oapiBase}/app/registration/${step}`,
      api,
      json: body,
      ...(signal ? { signal } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    const text = await res.text().catch((err: unknown) => {
      throw signal?.aborted
        ? new BridgeError({ code: 'aborted', message: 'Cancelled', retryable: false })
        : new BridgeError(networkProblem(err, api), { cause: err });
    });
    let parsed: unknown;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed };
  };
}
