/**
 * How `status` and `pending` name a DingTalk chat: by its name and kind (a group, or a single
 * chat with whom), never by a bare `cid…==` id unless nothing else is known — the id is added
 * with `--verbose`. Names come from DingTalk users, so they are shown as claims where a
 * decision depends on them (a subscription request).
 */

export interface NamedChat {
  chatId: string;
  /** CCCC's or DingTalk's name for it; status.json has the id here when it knows none. */
  title?: string;
  type?: 'single' | 'group';
  /** A single chat: the person's name. */
  with?: string;
}

const withId = (name: string, chatId: string, verbose: boolean): string => (verbose ? `${name} [${chatId}]` : name);

/** `Ops room (group)`, `single chat with Ann`; the id itself only when nothing else is known. */
export function chatName(c: NamedChat, verbose = false): string {
  const title = c.title && c.title !== c.chatId ? c.title : undefined;
  if (c.type === 'single') return withId(c.with ? `single chat with ${c.with}` : title ? `single chat "${title}"` : 'single chat', c.chatId, verbose);
  if (title) return withId(c.type === 'group' ? `${title} (group)` : title, c.chatId, verbose);
  if (c.type === 'group') return withId('unnamed group', c.chatId, verbose);
  return c.chatId;
}

/**
 * Who asked to subscribe, and from which chat: the names are whatever the requester set in
 * DingTalk, so they are shown as claims (`claims to be "…"`).
 */
export function requestLine(p: { chatId: string; chatTitle?: string; chatType?: 'single' | 'group'; senderNick?: string }, verbose = false): string {
  const from = p.senderNick ? `from someone who claims to be "${p.senderNick}" ` : '';
  const chat = p.chatTitle
    ? `a ${p.chatType === 'single' ? 'single chat' : 'chat'} that claims to be "${p.chatTitle}"`
    : p.chatType === 'single'
      ? 'a single chat'
      : p.chatType === 'group'
        ? 'an unnamed group'
        : undefined;
  return `${from}in ${chat ? withId(chat, p.chatId, verbose) : p.chatId}`;
}
