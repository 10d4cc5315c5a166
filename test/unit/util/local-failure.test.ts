import { describe, expect, it } from 'vitest';
import { BridgeError } from '../../../electron/core/errors';
import { isDiskFull, isLocalFailure, LocalHoldError } from '../../../electron/core/util/local-failure';

const errno = (code: string) => Object.assign(new Error(`${code}: failed`), { code });

describe('isLocalFailure', () => {
  it('recognizes system errors on the error or in its cause chain', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EMFILE']) expect(isLocalFailure(errno(code))).toBe(true);
    const wrapped = new BridgeError({ code: 'state.disk_full', message: 'The disk is full', retryable: true }, { cause: errno('ENOSPC') });
    expect(isLocalFailure(wrapped)).toBe(true);
  });

  it('treats anything else as a failure of the message itself', () => {
    expect(isLocalFailure(new TypeError('Journal entry x does not match its schema'))).toBe(false);
    expect(isLocalFailure(new BridgeError({ code: 'bridge.bad', message: 'bad', retryable: false }))).toBe(false);
    expect(isLocalFailure(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBe(false);
    expect(isLocalFailure('ENOSPC')).toBe(false);
    expect(isLocalFailure(undefined)).toBe(false);
  });

  it('counts a message kept back behind one the disk refused as local (it must not reach the poison bound)', () => {
    const hold = new LocalHoldError({ code: 'bridge.kept_in_order', message: 'waits behind an earlier message', retryable: true });
    expect(isLocalFailure(hold)).toBe(true);
    expect(isDiskFull(hold)).toBe(false);
  });
});

describe('isDiskFull', () => {
  it('is a full disk or quota, on the error or in its cause chain, and nothing else', () => {
    expect(isDiskFull(errno('ENOSPC'))).toBe(true);
    expect(isDiskFull(errno('EDQUOT'))).toBe(true);
    expect(isDiskFull(new BridgeError({ code: 'x', message: 'x', retryable: true }, { cause: errno('ENOSPC') }))).toBe(true);
    expect(isDiskFull(errno('EIO'))).toBe(false);
    expect(isDiskFull(undefined)).toBe(false);
  });
});
