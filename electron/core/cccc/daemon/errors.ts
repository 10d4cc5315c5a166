/**
 * Daemon failures → problems a person can act on. Transport failures say whether CCCC is
 * down; daemon error codes (an open set) get a sentence and a hint where the bridge knows
 * what to do, and a generic "CCCC refused …" otherwise. Codes are `cccc.<what>`.
 */
import path from 'node:path';
import { BridgeError, type Problem } from '../../errors';
import type { Endpoint } from './endpoint';
import { describeEndpoint } from './endpoint';
import type { DaemonErrorBody } from './protocol';
import type { TransportError } from './transport';

export const START_HINT = 'Start CCCC with `cccc` (or `cccc daemon start`) and keep it running; the bridge reconnects by itself.';
const UPDATE_CCCC_HINT = 'Update CCCC (`pip install -U cccc-pair`) and restart it with `cccc daemon restart`.';

export function notRunning(endpoint: Endpoint | undefined, detail?: string): BridgeError {
  return new BridgeError({
    code: 'cccc.not_running',
    message: 'CCCC is not running — start it with `cccc`',
    hint: START_HINT,
    retryable: true,
    details: { ...(endpoint ? { endpoint: describeEndpoint(endpoint) } : {}), ...(detail ? { detail } : {}) },
  });
}

export function invalidDescriptor(descriptorPath: string, detail: string | undefined): BridgeError {
  return new BridgeError({
    code: 'cccc.invalid_descriptor',
    message: "CCCC's daemon address file is unreadable",
    hint: `Restart CCCC with \`cccc daemon restart\`; it rewrites ${descriptorPath}.`,
    retryable: true,
    details: { descriptorPath, ...(detail ? { detail } : {}) },
  });
}

/** `idempotent`: a repeat would be harmless, so there is no need to warn that it may have been applied. */
export function fromTransport(err: TransportError, op: string, endpoint: Endpoint, timeoutMs: number, idempotent: boolean): BridgeError {
  const where = describeEndpoint(endpoint);
  const details = { op, endpoint: where, phase: err.phase, written: err.written, ...(err.errno ? { errno: err.errno } : {}) };
  const maybeApplied = err.written && !idempotent ? ' — it may or may not have been applied' : '';
  switch (err.reason) {
    case 'not_found':
    case 'refused':
      if (endpoint.transport === 'unix' && endpoint.source === 'fallback-invalid') {
        return invalidDescriptor(path.join(path.dirname(endpoint.path), 'ccccd.addr.json'), err.errno);
      }
      return new BridgeError({ ...notRunning(endpoint).toProblem(), details }, { cause: err });
    case 'access':
      return new BridgeError(
        {
          code: 'cccc.permission_denied',
          message: "No permission to open CCCC's daemon socket",
          hint: 'Run the bridge as the same user that runs CCCC.',
          retryable: false,
          details,
        },
        { cause: err },
      );
    case 'timeout':
      return new BridgeError(
        {
          code: 'cccc.timeout',
          message:
            err.phase === 'connect'
              ? 'CCCC did not accept the connection in time'
              : `CCCC did not answer \`${op}\` within ${Math.round(timeoutMs / 100) / 10} s${maybeApplied}`,
          hint: 'CCCC may be busy or stuck; if this repeats, restart it with `cccc daemon restart`.',
          retryable: true,
          details,
        },
        { cause: err },
      );
    case 'too_large':
      return badAnswer(op, 'the answer is larger than the bridge accepts', details);
    case 'aborted':
      return new BridgeError({ code: 'cccc.aborted', message: `\`${op}\` was cancelled`, retryable: true, details }, { cause: err });
    case 'closed':
    case 'reset':
    case 'io':
      return new BridgeError(
        {
          code: 'cccc.connection_lost',
          message: `The connection to CCCC broke during \`${op}\`${maybeApplied}`,
          hint: 'CCCC may have restarted; the bridge retries when that is safe.',
          retryable: true,
          details,
        },
        { cause: err },
      );
  }
}

export function badAnswer(op: string, why: string, details: Record<string, unknown> = {}): BridgeError {
  return new BridgeError({
    code: 'cccc.bad_answer',
    message: `CCCC sent an answer to \`${op}\` that the bridge cannot read: ${why}`,
    hint: 'The bridge and CCCC versions may not match. ' + UPDATE_CCCC_HINT,
    retryable: false,
    details: { op, ...details },
  });
}

function recipientOf(message: string): string {
  const m = /recipient(?: title)?:\s*(.*)$/.exec(message);
  return (m?.[1] ?? '').trim();
}

/** Known daemon codes keep their name (`cccc.<code>`); anything else becomes `cccc.daemon_error`. */
function known(code: string, message: string, op: string, groupId: string | undefined): Omit<Problem, 'details'> | undefined {
  const group = groupId ? ` ${groupId}` : '';
  switch (code) {
    case 'invalid_recipient': {
      const who = recipientOf(message);
      const ambiguous = message.includes('ambiguous');
      return {
        code: 'cccc.invalid_recipient',
        message: ambiguous ? `Recipient "${who}" matches more than one actor` : `Unknown recipient "${who}"`,
        hint: 'Address @all, @peers, @foreman, user, or an actor id or unique title — /status lists the actors.',
        retryable: false,
      };
    }
    case 'mixed_recipient_kinds':
      return {
        code: 'cccc.mixed_recipient_kinds',
        message: 'A message cannot go to the user and to agents at the same time',
        hint: 'Send two messages: one to the agents, one to the user.',
        retryable: false,
      };
    case 'no_enabled_recipients':
      return {
        code: 'cccc.no_enabled_recipients',
        message: 'No agent in the group can receive this message',
        hint: 'Add an actor to the group (`cccc actor add …`) or address someone explicitly, e.g. @all.',
        retryable: false,
      };
    case 'empty_message':
      return { code: 'cccc.empty_message', message: 'The message is empty', hint: 'Write some text or attach a file.', retryable: false };
    case 'invalid_attachments':
      return {
        code: 'cccc.invalid_attachments',
        message: `CCCC could not attach the file (${message})`,
        hint: "Files must be stored in the group's blob store (state/blobs/) before they are sent.",
        retryable: false,
      };
    case 'group_not_found':
      return {
        code: 'cccc.group_not_found',
        message: `CCCC group${group} does not exist`,
        hint: 'Pick an existing group — `cccc groups` lists them — or create one with `cccc group create`.',
        retryable: false,
      };
    case 'missing_group_id':
      return { code: 'cccc.missing_group_id', message: 'No CCCC group was chosen', hint: 'Choose a CCCC group in the bridge settings.', retryable: false };
    case 'invalid_key':
      return {
        code: 'cccc.invalid_key',
        message: 'That key is unknown or has expired',
        hint: 'Keys are valid for 10 minutes: send /subscribe in the chat again to get a new one.',
        retryable: false,
      };
    case 'missing_key':
      return { code: 'cccc.missing_key', message: 'No key was given', hint: 'Copy the key shown in the chat after /subscribe.', retryable: false };
    case 'missing_chat_id':
      return { code: 'cccc.missing_chat_id', message: 'No chat was given', retryable: false };
    case 'missing_project_root':
    case 'scope_not_attached':
      return {
        code: `cccc.${code}`,
        message: 'The group has no project folder attached',
        hint: `Attach one with \`cccc attach <path> --group${group || ' <group>'}\`.`,
        retryable: false,
      };
    case 'permission_denied':
      return { code: 'cccc.permission_denied', message: `CCCC did not allow \`${op}\``, hint: message || undefined, retryable: false };
    case 'unknown_op':
      return {
        code: 'cccc.unknown_op',
        message: `This CCCC version is too old for \`${op}\``,
        hint: UPDATE_CCCC_HINT,
        retryable: false,
      };
    case 'invalid_request':
    case 'invalid_message_mode':
    case 'unsupported_message_fields':
      return {
        code: `cccc.${code}`,
        message: `CCCC rejected the form of the \`${op}\` request (${code})`,
        hint: 'The bridge and CCCC versions do not match. ' + UPDATE_CCCC_HINT,
        retryable: false,
      };
    case 'internal_error':
      return {
        code: 'cccc.internal_error',
        message: `CCCC failed while handling \`${op}\``,
        hint: "Look at CCCC's log (`~/.cccc/daemon/ccccd.log`); restarting CCCC may help.",
        retryable: true,
      };
    default:
      return undefined;
  }
}

export function fromDaemonError(error: DaemonErrorBody, op: string, groupId?: string): BridgeError {
  const details = { op, daemonCode: error.code, daemonMessage: error.message, ...(Object.keys(error.details).length ? { daemonDetails: error.details } : {}) };
  const problem = known(error.code, error.message, op, groupId);
  if (problem) {
    return new BridgeError({ ...problem, details });
  }
  return new BridgeError({
    code: 'cccc.daemon_error',
    message: `CCCC refused \`${op}\`: ${error.message || error.code}`,
    retryable: false,
    details,
  });
}
