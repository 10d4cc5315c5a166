/**
 * CCCC's recipient vocabulary for a message's `to`: the group selectors and the user. The
 * bridge's `/send @x` parsing and the fake daemon's recipient rules both build on it.
 */

/** Selectors that address a set of actors by role. */
export const RECIPIENT_SELECTORS = ['@all', '@peers', '@foreman'] as const;

export type RecipientSelector = (typeof RECIPIENT_SELECTORS)[number];

/** The token addressing the human user (CCCC also accepts `@user` for it). */
export const USER_RECIPIENT = 'user';

export function isRecipientSelector(token: string): token is RecipientSelector {
  return (RECIPIENT_SELECTORS as readonly string[]).includes(token);
}
