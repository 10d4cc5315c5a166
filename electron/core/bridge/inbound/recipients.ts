/**
 * `/send @x` recipients → CCCC `to` tokens. Accepts @all, @peers, @foreman, @user, actor ids
 * and actor titles (case-insensitive); anything else is reported with the list to pick from.
 */
import type { ActorInfo } from '../ports';

const GROUP_TOKENS = new Set(['all', 'peers', 'foreman']);

export type RecipientResult = { ok: true; to: string[] } | { ok: false; unknown: string; known: string[] };

export function resolveRecipients(names: string[], actors: ActorInfo[]): RecipientResult {
  const to: string[] = [];
  for (const raw of names) {
    const name = raw.toLowerCase();
    if (GROUP_TOKENS.has(name)) to.push(`@${name}`);
    else if (name === 'user') to.push('user');
    else {
      const actor = actors.find((a) => a.id.toLowerCase() === name) ?? actors.find((a) => a.title.toLowerCase() === name);
      // Each name once: an actor may well be called `foreman`.
      if (!actor) return { ok: false, unknown: raw, known: [...new Set(['foreman', 'peers', 'all', ...actors.map((a) => a.id)])] };
      to.push(actor.id);
    }
  }
  return { ok: true, to: [...new Set(to)] };
}
