/**
 * The bridge's JSON state files damaged while it was stopped — garbled, truncated, empty, the
 * wrong JSON type: the chat directory and the held messages are moved aside and rebuilt, and what
 * could not be rebuilt is said, never silently dropped.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatDirectory, type ChatSources } from '../../../electron/core/bridge/chat-directory';
import { HeldMessages, readHeldCounts, type Released } from '../../../electron/core/bridge/outbound/held';
import type { OutboxItem } from '../../../electron/core/bridge/outbox/item';
import type { AuditRecord } from '../../../electron/core/log/audit';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'state-damage-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const DAMAGE: Record<string, (text: string) => string> = {
  garbled: (t) => `${t.slice(0, 30)}~~~~\u0000~~~~${t.slice(60)}`,
  truncated: (t) => t.slice(0, Math.floor(t.length / 2)),
  empty: () => '',
  'wrong JSON type': () => '"a string"\n',
};

async function aside(name: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith(`${name}.corrupt-`));
}

const group = {
  conversationId: 'cidGroup',
  conversationType: 'group' as const,
  title: 'Dev team',
  sender: { staffId: 's1', nick: 'Alice', isAdmin: false },
  at: 1_000,
};
const single = { conversationId: 'cidSingle', conversationType: 'single' as const, sender: { staffId: 's2', nick: 'Bob', isAdmin: false }, at: 2_000 };

describe('chat directory damaged while stopped', () => {
  for (const [kind, damage] of Object.entries(DAMAGE)) {
    it(`${kind}: moved aside and restored from its copy`, async () => {
      const before = new ChatDirectory(dir);
      await before.saw(group);
      await before.saw(single);
      const path = join(dir, 'chats.json');
      await writeFile(path, damage(await readFile(path, 'utf8')));

      const after = new ChatDirectory(dir);
      expect(await after.check()).toMatchObject({ restored: 2, unreachable: [] });
      expect(await after.chat('cidSingle')).toMatchObject({ conversationType: 'single', userId: 's2' });
      expect(await after.chat('cidGroup')).toMatchObject({ conversationType: 'group', title: 'Dev team' });
      expect(await aside('chats.json')).toHaveLength(1);
      // Saved at once: the next start finds a good file.
      expect(await new ChatDirectory(dir).check()).toBeUndefined();
    });
  }

  it('a read-only view (the dashboard, bridge stopped) reads the copy and moves nothing: the bridge still finds and reports the damage', async () => {
    const before = new ChatDirectory(dir);
    await before.saw(group);
    const path = join(dir, 'chats.json');
    await writeFile(path, '{"chats": {"cidGr');
    const view = new ChatDirectory(dir, { readOnly: true });
    expect(await view.chat('cidGroup')).toMatchObject({ conversationType: 'group', title: 'Dev team' });
    await expect(view.saw(single)).rejects.toThrow(/read-only/);
    expect(await readFile(path, 'utf8')).toBe('{"chats": {"cidGr');
    expect(await aside('chats.json')).toEqual([]);
    expect(await new ChatDirectory(dir).check()).toMatchObject({ restored: 1 });
  });

  it('with its copy damaged too: rebuilt from CCCC subscriptions and the audit trail; the rest is named', async () => {
    const before = new ChatDirectory(dir);
    await before.saw(group);
    await before.saw(single);
    await writeFile(join(dir, 'chats.json'), '{"chats": {"cidGr');
    await writeFile(join(dir, 'chats.json.bak'), '');
    const audit: Record<string, AuditRecord[]> = {
      cidGroup: [{ ts: 5, direction: 'in', chatId: 'cidGroup', chatType: 'group', kind: 'text', sender: { id: 's1' } }],
      cidSingle: [{ ts: 6, direction: 'out', chatId: 'cidSingle', chatType: 'single', kind: 'text', recipients: ['s2'] }],
    };
    const sources: ChatSources = {
      subscribed: () =>
        Promise.resolve(
          new Map([
            ['cidGroup', { chatTitle: 'Dev team' }],
            ['cidSingle', {}],
            ['cidNever', { chatTitle: 'Quiet chat' }],
          ]),
        ),
      audit: (chatId) => Promise.resolve(audit[chatId] ?? []),
    };
    const after = new ChatDirectory(dir, { sources });
    expect(await after.check()).toMatchObject({ restored: 2, unreachable: [{ chatId: 'cidNever', title: 'Quiet chat' }] });
    expect(await after.chat('cidSingle')).toMatchObject({ conversationType: 'single', userId: 's2' });
    expect(await after.chat('cidGroup')).toMatchObject({ conversationType: 'group', title: 'Dev team' });
  });
});

const item = (chatId: string, n: number): OutboxItem => ({
  id: `${'a'.repeat(31)}${n}:${chatId}:0`,
  chat: { conversationId: chatId, conversationType: 'group' },
  payload: { kind: 'message', message: { kind: 'text', content: `held ${n}` } },
  createdAt: n,
});

/** What a /resume would get: everything held for the chat, let go once handed over. */
async function releaseAll(held: HeldMessages, chatId: string): Promise<Released> {
  let got: Released = { items: [], folded: 0, lost: 0 };
  await held.release(chatId, async (released) => {
    got = released;
  });
  return got;
}

describe('held messages damaged while stopped', () => {
  const LINE_DAMAGE: Record<string, (lines: string[]) => string[]> = {
    'a garbled line': (l) => [l[0]!, `${l[1]!.slice(0, 30)}~~~~${l[1]!.slice(60)}`, l[2]!],
    'a truncated last line': (l) => [l[0]!, l[1]!, l[2]!.slice(0, 70)],
    'a line of the wrong JSON type': (l) => [l[0]!, '[1,2]', l[2]!],
  };
  for (const [kind, damage] of Object.entries(LINE_DAMAGE)) {
    it(`${kind}: that one message is lost, kept aside and counted for its chat`, async () => {
      const held = await HeldMessages.open(dir);
      await held.hold('cidA', [item('cidA', 1), item('cidA', 2), item('cidA', 3)]);
      await held.close();
      const path = join(dir, 'held.jsonl');
      const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
      const damaged = damage(lines);
      // A truncated last line has no newline after it.
      await writeFile(path, kind.includes('truncated') ? damaged.join('\n') : `${damaged.join('\n')}\n`);

      const again = await HeldMessages.open(dir);
      expect(await again.count('cidA')).toBe(2);
      const released = await releaseAll(again, 'cidA');
      expect(released.items).toHaveLength(2);
      expect(released.lost).toBe(kind.includes('wrong JSON type') ? 0 : 1);
      await again.close();
      expect((await readFile(`${path}.rejected`, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
    });
  }

  it('an empty file: nothing held, nothing to report', async () => {
    await writeFile(join(dir, 'held.jsonl'), '');
    const held = await HeldMessages.open(dir);
    expect(await held.count('cidA')).toBe(0);
    expect(held.lostUnknown).toBe(0);
    await held.close();
  });

  it('keeps the newest per chat, folds older ones, and does not hold a released message again', async () => {
    const held = await HeldMessages.open(dir, 2);
    await held.hold('cidA', [item('cidA', 1), item('cidA', 2), item('cidA', 3)]);
    expect(await readHeldCounts(dir)).toEqual(new Map([['cidA', 3]]));
    const released = await releaseAll(held, 'cidA');
    expect(released).toMatchObject({ folded: 1, lost: 0 });
    expect(released.items.map((i) => i.id)).toEqual([item('cidA', 2).id, item('cidA', 3).id]);
    await held.hold('cidA', [item('cidA', 3)]);
    expect(await held.count('cidA')).toBe(0);
    await held.close();
  });

  it('moves the held.json of earlier versions into the journal; a damaged one is moved aside and reported', async () => {
    await writeFile(join(dir, 'held.json'), JSON.stringify({ cidA: { items: [item('cidA', 1)], folded: 2 } }));
    const held = await HeldMessages.open(dir);
    expect(await held.count('cidA')).toBe(3);
    await held.close();
    await rm(join(dir, 'held.jsonl'));
    await writeFile(join(dir, 'held.json'), '{"cidA": {"items": [');
    const damaged = await HeldMessages.open(dir);
    expect(damaged.lostUnknown).toBe(1);
    expect(await aside('held.json')).toHaveLength(1);
    await damaged.close();
  });
});
