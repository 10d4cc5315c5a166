/**
 * `set --access everyone|admins|allowlist [--allow STAFF_ID,…]`: the same policy Settings → Access
 * sets in the app. As the app's picker offers the people who have written to the robot, an
 * allowlist without people lists them (staff id and nickname) to choose from.
 */
import { accessPolicySchema, type AccessPolicy } from '../../core/bridge/access';
import type { Person } from '../../core/bridge/chat-directory';
import { CLI_OPTIONS_TEXT, type CliOptionsText } from '../../core/i18n/cli-options';
import { localeLanguage } from '../../core/i18n/locale';
import { STAFF_ID } from '../../shared/api';
import { invalidOption } from '../output';

export interface AccessOptions {
  access?: string;
  /** Comma-separated staff ids. */
  allow?: string;
}

export const ACCESS_MODES = ['everyone', 'admins', 'allowlist'] as const;

/** What is wrong with the options, in the locale's language (the code stays the same). */
const text = (): CliOptionsText['access'] => CLI_OPTIONS_TEXT[localeLanguage(process.env)].access;

/** The people to choose from, the first 20 of them. */
function peopleHint(people: readonly Person[]): string {
  const t = text();
  if (people.length === 0) return t.nobodyYet;
  return t.people(people.slice(0, 20).map(t.person), Math.max(0, people.length - 20));
}

function staffIds(allow: string): string[] {
  const ids = [...new Set(allow.split(',').map((s) => s.trim()))].filter((s) => s !== '');
  const bad = ids.find((id) => !STAFF_ID.test(id));
  if (bad !== undefined) throw invalidOption(text().allowIds(bad.slice(0, 64)));
  return ids;
}

/**
 * The policy the options ask for; undefined when they ask for no change. `people` are asked for
 * only when needed (to offer them, or to check the ids against them).
 */
export async function accessPolicyFrom(
  o: AccessOptions,
  previous: AccessPolicy | undefined,
  people: () => Promise<Person[]>,
): Promise<{ policy: AccessPolicy; unknown: string[] } | undefined> {
  if (o.access === undefined && o.allow === undefined) return undefined;
  const mode = o.access ?? 'allowlist';
  if (!(ACCESS_MODES as readonly string[]).includes(mode)) throw invalidOption(text().mode);
  if (mode !== 'allowlist') {
    if (o.allow !== undefined) throw invalidOption(text().allowWith(mode));
    return { policy: accessPolicySchema.parse({ mode }), unknown: [] };
  }
  const ids = o.allow !== undefined ? staffIds(o.allow) : previous?.mode === 'allowlist' ? previous.staffIds : [];
  if (ids.length === 0) {
    throw invalidOption(text().needsPeople, peopleHint(await people()));
  }
  return { policy: { mode: 'allowlist', staffIds: ids }, unknown: await unknownPeople(ids, people) };
}

/** The staff ids among `ids` of people who have not written to the robot. */
export async function unknownPeople(ids: readonly string[], people: () => Promise<Person[]>): Promise<string[]> {
  const seen = new Set((await people()).map((p) => p.staffId));
  return ids.filter((id) => !seen.has(id));
}

/** "allowlist: staff-ann ("Ann"), staff-bob" — for set's summary. */
export function describeAccess(policy: AccessPolicy, people: readonly Person[]): string {
  if (policy.mode !== 'allowlist') return policy.mode === 'everyone' ? 'everyone in subscribed chats' : 'DingTalk admins only';
  const nick = new Map(people.map((p) => [p.staffId, p.nick]));
  return `only ${policy.staffIds.map((id) => (nick.has(id) ? `${id} ("${nick.get(id)}")` : id)).join(', ')}`;
}
