/**
 * Parses what a person typed to the robot into a command. Text is kept exactly: only the
 * command word and the recipient tokens are removed (CCCC's own bridge re-joins words with
 * single spaces and destroys newlines and code — we do not).
 */
import { own } from '../util/own';

export type Command =
  | { name: 'subscribe' }
  | { name: 'unsubscribe' }
  | { name: 'send'; recipients: string[]; text: string; explicit: boolean }
  | { name: 'status' }
  | { name: 'context' }
  | { name: 'pause' }
  | { name: 'resume' }
  | { name: 'verbose'; mode: 'toggle' | 'on' | 'off' }
  | { name: 'launch' }
  | { name: 'quit' }
  | { name: 'help' }
  | { name: 'unknown'; word: string };

export type CommandName = Command['name'];

const ALIASES: Record<string, Exclude<CommandName, 'send' | 'unknown'> | 'send'> = {
  subscribe: 'subscribe',
  sub: 'subscribe',
  unsubscribe: 'unsubscribe',
  unsub: 'unsubscribe',
  send: 'send',
  status: 'status',
  s: 'status',
  context: 'context',
  ctx: 'context',
  pause: 'pause',
  resume: 'resume',
  verbose: 'verbose',
  v: 'verbose',
  launch: 'launch',
  start: 'launch',
  quit: 'quit',
  stop: 'quit',
  help: 'help',
  h: 'help',
};

/** An optional leading @robot (its name may have up to three words) before a command. */
const ROBOT_MENTION = '(?:@[^\\s/@]+(?:[ \\t][^\\s/@]+){0,2}\\s+)?';
const COMMAND = new RegExp(`^\\s*${ROBOT_MENTION}\\/([A-Za-z]+)(?=\\s|$)([\\s\\S]*)$`);
const SLASH_WORD = new RegExp(`^\\s*${ROBOT_MENTION}\\/(\\S*)`);

/** Removes the body's separator from the command: spaces/tabs, then at most one line break. */
function body(rest: string): string {
  return rest.replace(/^[ \t\u3000]*(\r?\n)?/, '');
}

/** Leading `@a,@b @c` tokens; returns them and the text after them. */
export function splitRecipients(text: string): { recipients: string[]; rest: string } {
  const recipients: string[] = [];
  let rest = text;
  for (;;) {
    const m = /^[ \t\u3000]*(@[^\s,，]+)[ \t\u3000]*[,，]?/.exec(rest);
    if (!m) break;
    recipients.push(m[1]?.slice(1) ?? '');
    rest = rest.slice(m[0].length);
  }
  return { recipients, rest: recipients.length ? body(rest) : rest };
}

/**
 * Whether a message says nothing but (at most) one @name: in a group, the robot's own @ — DingTalk
 * removes it from text messages and may leave it in rich text.
 */
export function isOnlyMention(text: string): boolean {
  return /^[\s\u3000]*(?:@[^\s@]+)?[\s\u3000]*$/.test(text);
}

/**
 * @param text the message text as DingTalk delivered it (a group text message starts with the
 *   space left where the robot's @ was removed; rich text may still carry `@Robot`).
 */
export function parseCommand(text: string): Command {
  const m = COMMAND.exec(text);
  if (!m) {
    const lead = SLASH_WORD.exec(text);
    if (lead && /^[A-Za-z]/.test(lead[1] ?? '')) return { name: 'unknown', word: `/${lead[1]}` };
    const plain = text.replace(/^[ \t\u3000]+/, '');
    return { name: 'send', recipients: [], text: plain, explicit: false };
  }
  const word = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  const name = own(ALIASES, word);
  switch (name) {
    case undefined:
      return { name: 'unknown', word: `/${m[1]}` };
    case 'send': {
      const { recipients, rest: after } = splitRecipients(body(rest));
      return { name: 'send', recipients, text: after, explicit: true };
    }
    case 'verbose': {
      const arg = rest.trim().toLowerCase();
      return { name: 'verbose', mode: arg === 'on' ? 'on' : arg === 'off' ? 'off' : 'toggle' };
    }
    default:
      return { name };
  }
}
