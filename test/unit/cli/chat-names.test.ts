/** `status` and `pending` name chats by name and kind; the `cid…==` id only with --verbose (or when nothing else is known). */
import { describe, expect, it } from 'vitest';
import { chatName, requestLine } from '../../../electron/cli/chat-names';

const ID = 'cidAbC123==';

describe('chat names in the CLI', () => {
  it('names a group by its title and kind, a single chat by the person', () => {
    expect(chatName({ chatId: ID, title: 'Ops room', type: 'group' })).toBe('Ops room (group)');
    expect(chatName({ chatId: ID, title: ID, type: 'single', with: 'Ann' })).toBe('single chat with Ann');
    expect(chatName({ chatId: ID, title: ID, type: 'group' })).toBe('unnamed group');
    expect(chatName({ chatId: ID, title: 'Ops room' })).toBe('Ops room');
  });

  it('adds the id with --verbose, and shows it alone only when nothing else is known', () => {
    expect(chatName({ chatId: ID, title: 'Ops room', type: 'group' }, true)).toBe(`Ops room (group) [${ID}]`);
    expect(chatName({ chatId: ID, type: 'single', with: 'Ann' }, true)).toBe(`single chat with Ann [${ID}]`);
    expect(chatName({ chatId: ID, title: ID })).toBe(ID);
  });

  it('a request: who and which chat as claims, the id with --verbose', () => {
    const p = { chatId: ID, chatTitle: 'Ops room', chatType: 'group' as const, senderNick: 'Ann' };
    expect(requestLine(p)).toBe('from someone who claims to be "Ann" in a chat that claims to be "Ops room"');
    expect(requestLine(p, true)).toBe(`from someone who claims to be "Ann" in a chat that claims to be "Ops room" [${ID}]`);
    expect(requestLine({ chatId: ID, chatType: 'single', senderNick: 'Ann' })).toBe('from someone who claims to be "Ann" in a single chat');
    expect(requestLine({ chatId: ID })).toBe(`in ${ID}`);
  });
});
