/** The BridgeError a call must fail with (an assertion fails if it resolves or throws anything else). */
import { expect } from 'vitest';
import { BridgeError } from '../../electron/core/errors';

export async function rejection(p: Promise<unknown>): Promise<BridgeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BridgeError);
  return err as BridgeError;
}
