/**
 * Is this failure about the machine rather than the message? A full disk, a quota, an I/O or
 * permission error on the bridge's own files passes when the machine is fixed, and must never
 * cost a message: whoever sees one leaves the message un-ACKed for DingTalk to redeliver. Any
 * other failure to keep a message happens to that message every time (a poison message).
 * Recognized by the system error code, on the error itself or anywhere in its `cause` chain
 * (so a BridgeError wrapping ENOSPC still counts), or as a LocalHoldError.
 */
import { BridgeError } from '../errors';

const SYSTEM_CODE = /^E[A-Z0-9]+$/;

/**
 * A message kept back for a local reason that has no system error of its own: it waits behind an
 * earlier message of its chat that the disk refused (so the chat's order holds).
 */
export class LocalHoldError extends BridgeError {}

function* causes(err: unknown): Generator<unknown> {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) yield e;
}

function systemCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && SYSTEM_CODE.test(code) ? code : undefined;
}

export function isLocalFailure(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof LocalHoldError || (e instanceof Error && systemCode(e))) return true;
  return false;
}

/** Whether a failure means "no room left to write": a full disk or an exhausted quota. */
export function isDiskFull(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = systemCode(e);
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}
