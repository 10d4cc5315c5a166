import { stat, truncate, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { saveCursor } from '../../../../electron/core/cccc/ledger/cursor';
import type { LedgerFollower } from '../../../../electron/core/cccc/ledger/follower';
import { expectQuietFor, waitFor } from '../../../helpers/wait';
import { chat, collectingFollower, ids, tempGroup, type TempGroup } from '../helpers';

const GB = 1_000_000_000;

let g: TempGroup;
let f: LedgerFollower | undefined;

afterEach(async () => {
  await f?.stop();
  f = undefined;
  await g?.cleanup();
});

/** A 1 GB ledger (sparse: a real first event, a hole, then real lines at the end). */
async function hugeLedger(): Promise<{ head: string; tail: ReturnType<typeof chat>[] }> {
  g = await tempGroup();
  const first = chat('the very first event');
  await g.writer.append(first);
  await truncate(g.writer.path, GB);
  await g.writer.appendRaw('\n'); // ends the hole's garbage "line"
  const tail = Array.from({ length: 20 }, (_, i) => chat(`历史 ${i}`));
  await g.writer.append(...tail);
  return { head: first.id, tail };
}

describe('LedgerFollower on a 1 GB ledger', () => {
  it('resumes from a cursor near the end reading only the tail', async () => {
    const { head, tail } = await hugeLedger();
    const st = await stat(g.writer.path, { bigint: true });
    const last = tail[tail.length - 1] as ReturnType<typeof chat>;
    await saveCursor(g.cursorPath, {
      v: 1,
      file: { dev: st.dev.toString(), ino: st.ino.toString(), head },
      offset: Number(st.size),
      lastEventId: last.id,
      lastEventTs: last.ts,
      savedAt: new Date().toISOString(),
    });
    const fresh = [chat('new 1'), chat('new 2')];
    await g.writer.append(...fresh);

    const c = collectingFollower(g);
    f = c.follower;
    await f.start();
    await waitFor(() => c.events.length >= 2, 'new events');
    await expectQuietFor(50, 'no event beyond the two new ones', () => c.events.length === 2);
    expect(ids(c.events)).toEqual(ids(fresh));
    // The head probe (64 kB) plus the new lines: nowhere near the gigabyte.
    expect(f.stats().bytesRead).toBeLessThan(512 * 1024);
  });

  it("starts at the end ('end' policy, or no cursor) without reading the file", async () => {
    await hugeLedger();
    const c = collectingFollower(g, { catchUp: 'end' });
    f = c.follower;
    await f.start();
    expect(f.stats().bytesRead).toBeLessThan(512 * 1024);
    const fresh = chat('after start');
    await g.writer.append(fresh);
    await waitFor(() => c.events.length >= 1, 'new event');
    expect(ids(c.events)).toEqual([fresh.id]);
  });

  it('skips a partial last line when starting at the end, then delivers it once complete', async () => {
    await hugeLedger();
    const ev = chat('being written');
    const line = JSON.stringify(ev) + '\n';
    await writeFile(g.writer.path, line.slice(0, 30), { flag: 'a' });
    const c = collectingFollower(g, { catchUp: 'end' });
    f = c.follower;
    await f.start();
    await writeFile(g.writer.path, line.slice(30), { flag: 'a' });
    await waitFor(() => c.events.length >= 1, 'completed line');
    expect(ids(c.events)).toEqual([ev.id]);
  });
});
