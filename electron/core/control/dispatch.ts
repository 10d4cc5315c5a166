/**
 * One call of the API table, whatever carried it (IPC in the desktop app, HTTP for `serve`):
 * method name + raw payload → validated with API[method].input → the handler → an ApiResponse.
 * Nothing thrown leaves: a failure is a ProblemView, never an Error with its stack.
 *
 * The transports differ only in their own refusals' wording: their code namespace (`ipc.…`,
 * `api.…`), and how much of a validation failure they spell out — a person with curl reads the
 * issues in the message, the app's renderer (which validates its forms first) needs only the paths.
 */
import { API, type ApiHandlers, type ApiMethod, type ApiResponse, type ProblemView } from '../../shared/api';
import { BridgeError, toProblem } from '../errors';
import type { Logger } from '../log/logger';
import { problemView } from './views';

export type Transport = 'ipc' | 'http';

/** Why a call failed, for a transport that answers with a status of its own (HTTP). */
export type FailureReason = 'unknown_method' | 'invalid_input' | 'failed' | 'unexpected';

export type Dispatched = { ok: true; result: unknown } | { ok: false; problem: ProblemView; reason: FailureReason };

export interface DispatchOptions {
  handlers: ApiHandlers;
  transport: Transport;
  log: Logger;
}

interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

function refusal(transport: Transport, what: 'unknown_method' | 'invalid_input', message: string, details?: Record<string, unknown>): ProblemView {
  return { code: `${transport === 'ipc' ? 'ipc' : 'api'}.${what}`, message, retryable: false, ...(details ? { details } : {}) };
}

/** `settings.maxFileMb: Too big: expected number to be <=1024` — one line per issue. */
function describeIssues(issues: readonly Issue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Paths and messages only: the input itself may hold an AppSecret. */
function invalidInput(transport: Transport, method: ApiMethod, issues: readonly Issue[]): ProblemView {
  if (transport === 'ipc') {
    return refusal(transport, 'invalid_input', `Invalid input for ${method}`, {
      issues: issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return refusal(transport, 'invalid_input', `Invalid input for ${method}: ${describeIssues(issues)}`, {
    issues: issues.slice(0, 10).map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API, name);
}

export async function dispatchCall(o: DispatchOptions, name: unknown, payload: unknown): Promise<Dispatched> {
  if (!isApiMethod(name)) {
    const message = o.transport === 'ipc' ? 'Unknown request' : `No API method "${String(name)}"`;
    return { ok: false, problem: refusal(o.transport, 'unknown_method', message), reason: 'unknown_method' };
  }
  const parsed = API[name].input.safeParse(payload);
  if (!parsed.success) return { ok: false, problem: invalidInput(o.transport, name, parsed.error.issues), reason: 'invalid_input' };
  try {
    // The table pairs each method with its schema and handler; TypeScript cannot follow that through a runtime key.
    const handler = o.handlers[name] as (input: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(parsed.data) };
  } catch (err) {
    const problem = toProblem(err);
    if (err instanceof BridgeError) o.log.warn(`${name} failed: ${problem.message}`, { code: problem.code });
    else o.log.error(`${name} failed unexpectedly`, { error: err });
    return { ok: false, problem: problemView(problem), reason: err instanceof BridgeError ? 'failed' : 'unexpected' };
  }
}

/** The answer as the transports send it: the reason stays with the transport. */
export function toResponse(d: Dispatched): ApiResponse<ApiMethod> {
  return (d.ok ? { ok: true, result: d.result } : { ok: false, problem: d.problem }) as ApiResponse<ApiMethod>;
}
