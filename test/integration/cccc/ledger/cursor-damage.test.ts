/**
 * A ledger cursor damaged while the bridge was stopped (garbled, truncated, empty, the wrong JSON
 * type) is moved aside and rebuilt: nothing written meanwhile is skipped.
 */
import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerFollower } from '../../../../electron/core/cccc/ledger/follower';
import { memoryLogger } from '../../../../electron/core/log/logger';
import { waitFor } from '../../../helpers/wait';
import { chat, collectingFollower, ids, tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
const running: LedgerFollower[] = [];
afterEach(async () => {
  for (const f of running.splice(0)) await f.stop();
  await g?.cleanup();
});

const DAMAGE: Record<string, (text: string) => string> = {
  garbled: (t) => `${t.slice(0, 20)}\u0000\u0000~~~~${t.slice(40)}`,
  truncated: (t) => t.slice(0, Math.floor(t.length / 2)),
  empty: () => '',
  'wrong JSON type': () => '[1, 2, 3]\n',
};

describe('a damaged ledger cursor', () => {
  for (const [kind, damage] of Object.entries(DAMAGE)) {
    it(`${kind}: moved aside, rebuilt from the last handled event; what came after is delivered`, async () => {
      g = await tempGroup();
      const first = collectingFollower(g);
      running.push(first.follower);
      await first.follower.start();
      const before = [chat('one'), chat('two')];
      await g.writer.append(...before);
      await waitFor(() => first.events.length === 2, 'the first events');
      await first.follower.stop();

      const meanwhile = [chat('three'), chat('four'), chat('five')];
      await g.writer.append(...meanwhile);
      await writeFile(g.cursorPath, damage(await readFile(g.cursorPath, 'utf8')));

      const handled = new Set(before.map((e) => e.id));
      const log = memoryLogger();
      const second = collectingFollower(g, { handled: (id) => handled.has(id), logger: log });
      running.push(second.follower);
      await second.follower.start();
      await waitFor(() => second.events.length >= 4, 'the events after the last handled one');
      // Handled events of the same instant may come again (the consumer skips them); nothing after is missing.
      const got = ids(second.events);
      expect(got.slice(-3)).toEqual(ids(meanwhile));
      expect(got.slice(0, -3).every((id) => handled.has(id))).toBe(true);
      expect(second.follower.rebuilt).toMatchObject({ from: 'last handled event' });
      const aside = (await readdir(dirname(g.cursorPath))).filter((f) => f.startsWith('ledger-cursor.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(log.records.some((r) => r.level === 'warn' && String(r.fields?.['aside'] ?? '').includes('.corrupt-'))).toBe(true);
    });
  }

  it('with nothing handled to go by, re-reads from before the damaged file was last written', async () => {
    g = await tempGroup();
    const first = collectingFollower(g);
    running.push(first.follower);
    await first.follower.start();
    await g.writer.append(chat('old'));
    await waitFor(() => first.events.length === 1, 'the first event');
    await first.follower.stop();
    const meanwhile = [chat('new one'), chat('new two')];
    await g.writer.append(...meanwhile);
    await writeFile(g.cursorPath, '{"v":1,"file":');
    // Damaged later than the new events were written: the margin still covers them.
    const later = new Date(Date.now() + 60_000);
    await utimes(g.cursorPath, later, later);

    const second = collectingFollower(g);
    running.push(second.follower);
    await second.follower.start();
    await waitFor(() => second.events.length >= 3, 'every event within the margin');
    expect(ids(second.events).slice(-2)).toEqual(ids(meanwhile));
    expect(second.follower.rebuilt).toMatchObject({ from: 'file modification time' });
  });

  it('stopped again before the rebuilt cursor was first saved: rebuilt again, not started at the end', async () => {
    g = await tempGroup();
    const first = collectingFollower(g);
    running.push(first.follower);
    await first.follower.start();
    const before = chat('one');
    await g.writer.append(before);
    await waitFor(() => first.events.length === 1, 'the first event');
    await first.follower.stop();
    await writeFile(g.cursorPath, 'garbage');
    const meanwhile = chat('two');
    await g.writer.append(meanwhile);
    // The first rebuild is stopped before it delivers anything.
    const handled = (id: string) => id === before.id;
    const interrupted = collectingFollower(g, { handled, onBatch: () => Promise.reject(new Error('stopped first')) });
    running.push(interrupted.follower);
    await interrupted.follower.start();
    await interrupted.follower.stop();

    const again = collectingFollower(g, { handled });
    running.push(again.follower);
    await again.follower.start();
    await waitFor(() => ids(again.events).includes(meanwhile.id), 'the event written meanwhile');
    expect(again.follower.rebuilt).toMatchObject({ why: 'was damaged and not yet replaced' });
  });
});
