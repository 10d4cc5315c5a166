/**
 * Is this failure about the machine rather than the message? A full disk, a quota, an I/O or
 * permission error on the bridge's own files passes when the machine is fixed, and must never
 * cost a message: whoever sees one leaves the message un-ACKed for DingTalk to redeliver. Any
 * other failure to keep a message happens to that message every time (a poison message).
 * Recognized by the system error code, on the error itself or anywhere in its `cause` chain
 * (so a BridgeError wrapping ENOSPC still counts).
 */
const SYSTEM_CODE = /^E[A-Z0-9]+$/;

export function isLocalFailure(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && SYSTEM_CODE.test(code)) return true;
  }
  return false;
}
