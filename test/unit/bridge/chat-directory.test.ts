import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatDirectory } from '../../../electron/core/bridge/chat-directory';

let dir: string;
afterEach(async () => rm(dir, { recursive: true, force: true }));

const sighting = (at: number, nick = 'Alice') => ({
  conversationId: 'cidA',
  conversationType: 'single' as const,
  sender: { staffId: 's1', nick, isAdmin: false },
  at,
});

describe('ChatDirectory', () => {
  it('writes on news only: a repeat within a minute costs no file write', async () => {
    dir = await mkdtemp(join(tmpdir(), 'chats-'));
    const chats = new ChatDirectory(dir);
    await chats.saw(sighting(1_000));
    const first = await stat(join(dir, 'chats.json'));
    await chats.saw(sighting(30_000));
    expect((await stat(join(dir, 'chats.json'))).ino).toBe(first.ino);
    await chats.saw(sighting(31_000, 'Alice Chen'));
    const renamed = await stat(join(dir, 'chats.json'));
    expect(renamed.ino).not.toBe(first.ino);
    expect((await chats.people())[0]).toMatchObject({ nick: 'Alice Chen' });
    await chats.saw(sighting(200_000, 'Alice Chen'));
    expect((await stat(join(dir, 'chats.json'))).ino).not.toBe(renamed.ino);
    expect(await chats.chat('cidA')).toMatchObject({ conversationType: 'single', userId: 's1', lastMessageAt: 200_000 });
  });

  it.each(['constructor', 'toString', '__proto__'])('a chat or person id named like an object member (%s) is an ordinary entry', async (id) => {
    dir = await mkdtemp(join(tmpdir(), 'chats-'));
    const chats = new ChatDirectory(dir);
    expect(await chats.chat(id)).toBeUndefined();
    await chats.saw({ conversationId: id, conversationType: 'single', sender: { staffId: id, nick: 'Mallory', isAdmin: false }, at: 1_000 });
    await chats.setAccess(id, { mode: 'admins' });
    expect(await chats.chat(id)).toMatchObject({ conversationType: 'single', userId: id, access: { mode: 'admins' } });
    expect((await chats.people()).map((p) => p.staffId)).toEqual([id]);
  });
});
