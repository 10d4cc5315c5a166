/**
 * What is wrong with the credentials step's values, as codes: the step translates a code where
 * it shows it (`wizard.credentials.<code>`) and decides by code, never by comparing texts.
 */
import { bridgeInputSchema } from '../../../electron/shared/api';
import type { Draft } from './StepCredentials';

/** A pasted value with spaces inside, or a Client ID that does not look like one. */
export type ValueIssue = 'spaces' | 'appKeyNoDing';

/** What still keeps the bridge from being saved. */
export type DraftGap = 'secretEnvInvalid' | 'needGroup' | 'needKey' | 'needSecret';

export function appKeyIssue(value: string): ValueIssue | undefined {
  if (!value) return undefined;
  if (/\s/.test(value.trim())) return 'spaces';
  if (!/^ding/i.test(value.trim())) return 'appKeyNoDing';
  return undefined;
}

export function secretIssue(value: string): ValueIssue | undefined {
  return value && /\s/.test(value.trim()) ? 'spaces' : undefined;
}

export function secretEnvValid(secretEnv: string | undefined): boolean {
  return bridgeInputSchema.shape.secretEnv.safeParse(secretEnv).success;
}

/** `secretEnv`: the variable the secret is read from, if any; `saved`: the bridge exists (its secret is stored); a scanned app's secret is stored with its scan. */
export function draftGap(draft: Draft, secretEnv: string | undefined, saved: boolean): DraftGap | undefined {
  if (!secretEnvValid(secretEnv)) return 'secretEnvInvalid';
  if (!draft.groupId) return 'needGroup';
  if (!draft.appKey.trim()) return 'needKey';
  if (!draft.appSecret.trim() && !secretEnv && !saved && !draft.scanId) return 'needSecret';
  return undefined;
}
