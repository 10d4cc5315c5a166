import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../../../electron/core/log/logger';
import { ledgerCursorSchema } from '../../../../electron/core/cccc/ledger/cursor';
import type { LedgerEvent } from '../../../../electron/core/cccc/ledger/event';
import { LedgerFollower } from '../../../../electron/core/cccc/ledger/follower';
import { LedgerFile } from '../../../../electron/core/cccc/ledger/ledger-file';
import type { TickMember } from '../../../../electron/core/util/ticker';
import { chatMessageData, makeEvent } from '../../../fakes/cccc/ledger';
import { expectQuietFor, waitFor } from '../../../helpers/wait';
import { chat, collectingFollower, GROUP_ID, ids, tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
const running: LedgerFollower[] = [];

async function started(f: LedgerFollower): Promise<LedgerFollower> {
  running.push(f);
  await f.start();
  return f;
}

afterEach(async () => {
  for (const f of running.splice(0)) await f.stop();
  await g?.cleanup();
});

async function cursorOffset(): Promise<number> {
  return ledgerCursorSchema.parse(JSON.parse(await readFile(g.cursorPath, 'utf8'))).offset;
}

/** A gate the consumer waits on, so the test can act while a batch is "in flight". */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

describe('LedgerFollower', () => {
  it('counts bytes, not characters: CJK, emoji and U+2028 text is delivered once and never re-sent', async () => {
    g = await tempGroup();
    const a = collectingFollower(g);
    await started(a.follower);
    const texts = ['你好，世界！请检查构建。', '😀🚀 部署完成', 'line\u2028separator\u2029中文', '中'.repeat(5000)];
    const written = texts.map((t) => chat(t));
    await g.writer.append(...written);
    await waitFor(() => a.events.length >= 4, '4 events');
    expect(a.events.map((e) => e.data.text)).toEqual(texts);
    await a.follower.stop();
    expect(await cursorOffset()).toBe((await stat(g.writer.path)).size);

    // A restart from the cursor must not re-send anything (CCCC's bridge re-sends here).
    const b = collectingFollower(g);
    await started(b.follower);
    const later = chat('之后的消息');
    await g.writer.append(later);
    await waitFor(() => b.events.length >= 1, 'the new event');
    await expectQuietFor(120, 'nothing re-sent after the restart', () => b.events.length === 1);
    expect(ids(b.events)).toEqual([later.id]);
  });

  it('waits for the newline of a partial last line', async () => {
    g = await tempGroup();
    const a = collectingFollower(g);
    await started(a.follower);
    const ev = chat('完整的一行');
    const line = JSON.stringify(ev) + '\n';
    const cut = Buffer.from(line).subarray(0, 40);
    const readBefore = a.follower.stats().bytesRead;
    await writeFile(g.writer.path, cut, { flag: 'a' });
    // Several polls and watch events: the follower has read the partial line three times.
    await waitFor(() => a.follower.stats().bytesRead >= readBefore + 3 * cut.length, 'three reads of the partial line');
    expect(a.events).toEqual([]);
    await writeFile(g.writer.path, Buffer.from(line).subarray(40), { flag: 'a' });
    await waitFor(() => a.events.length === 1, 'the completed line');
    expect(a.events[0]?.id).toBe(ev.id);
  });

  it('logs and skips malformed lines, delivers the rest', async () => {
    g = await tempGroup();
    const logger = memoryLogger();
    const a = collectingFollower(g, { logger });
    await started(a.follower);
    const good1 = chat('one');
    const good2 = chat('two');
    await g.writer.append(good1);
    await g.writer.appendRaw('{not json at all\n');
    await g.writer.appendRaw('{"v":1,"kind":"chat.message"}\n');
    await g.writer.appendRaw('\n');
    await g.writer.append(good2);
    await waitFor(() => a.events.length === 2, 'two good events');
    expect(ids(a.events)).toEqual([good1.id, good2.id]);
    expect(a.follower.stats().malformedLines).toBe(2);
    const warnings = logger.records.filter((r) => r.level === 'warn' && r.msg.includes('malformed'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]?.scope).toBe('test.cccc.ledger');
  });

  it('delivers a duplicated event id only once', async () => {
    g = await tempGroup();
    const a = collectingFollower(g);
    await started(a.follower);
    const ev = chat('twice');
    const after = chat('after');
    await g.writer.append(ev, ev, after);
    await waitFor(() => a.events.length >= 2, 'events');
    await expectQuietFor(100, 'no third delivery', () => a.events.length === 2);
    expect(ids(a.events)).toEqual([ev.id, after.id]);
    expect(a.follower.stats().duplicatesSkipped).toBe(1);
  });

  it('persists the cursor only on commit: uncommitted batches come again after a restart', async () => {
    g = await tempGroup();
    const a = collectingFollower(g, { autoCommit: false });
    await started(a.follower);
    const startOffset = await cursorOffset();
    const e1 = chat('first');
    const e2 = chat('second');
    await g.writer.append(e1);
    await waitFor(() => a.batches.length === 1, 'batch 1');
    await g.writer.append(e2);
    await waitFor(() => a.batches.length === 2, 'batch 2');
    expect(await cursorOffset()).toBe(startOffset);
    await a.batches[0]?.commit();
    await a.follower.stop();

    const b = collectingFollower(g);
    await started(b.follower);
    await waitFor(() => b.events.length >= 1, 're-delivery');
    await expectQuietFor(100, 'only the uncommitted event again', () => b.events.length === 1);
    expect(ids(b.events)).toEqual([e2.id]);
  });

  it('applies commits in order: an older commit after a newer one changes nothing', async () => {
    g = await tempGroup();
    const a = collectingFollower(g, { autoCommit: false });
    await started(a.follower);
    await g.writer.append(chat('a'));
    await waitFor(() => a.batches.length === 1, 'batch 1');
    await g.writer.append(chat('b'));
    await waitFor(() => a.batches.length === 2, 'batch 2');
    await a.batches[1]?.commit();
    const after2 = await cursorOffset();
    await a.batches[0]?.commit();
    expect(await cursorOffset()).toBe(after2);
    expect(after2).toBe((await stat(g.writer.path)).size);
  });

  it('re-delivers a batch whose consumer failed, without losing or repeating events', async () => {
    g = await tempGroup();
    const got: LedgerEvent[] = [];
    let failures = 1;
    const f = new LedgerFollower({
      groupDir: g.groupDir,
      cursorPath: g.cursorPath,
      pollIntervalMs: 50,
      onBatch: async (batch) => {
        if (failures-- > 0) throw new Error('outbox is full');
        got.push(...batch.events);
        await batch.commit();
      },
    });
    await started(f);
    const evs = [chat('x'), chat('y')];
    await g.writer.append(...evs);
    await waitFor(() => got.length >= 2, 'retry delivery');
    expect(ids(got)).toEqual(ids(evs));
  });

  describe('catch-up policy', () => {
    it("'resume' without a cursor starts at the end (no history flood) and persists that start", async () => {
      g = await tempGroup();
      await g.writer.append(chat('old 1'), chat('old 2'));
      const a = collectingFollower(g);
      await started(a.follower);
      expect(await cursorOffset()).toBe((await stat(g.writer.path)).size);
      const fresh = chat('new');
      await g.writer.append(fresh);
      await waitFor(() => a.events.length === 1, 'new event');
      expect(ids(a.events)).toEqual([fresh.id]);
    });

    it("'resume' delivers what arrived while stopped; 'end' skips it", async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      await a.follower.stop();
      const missed = [chat('while down 1'), chat('while down 2')];
      await g.writer.append(...missed);

      const end = collectingFollower(g, { catchUp: 'end' });
      await started(end.follower);
      await expectQuietFor(100, "the 'end' follower to deliver nothing", () => end.events.length === 0);
      expect(end.events).toEqual([]);
      await end.follower.stop();

      await g.writer.append(chat('not seen by the resume follower: end moved the cursor'));
      const resume = collectingFollower(g, { catchUp: 'resume' });
      await started(resume.follower);
      await waitFor(() => resume.events.length === 1, 'event after the end start');
      expect(resume.events[0]?.data.text).toBe('not seen by the resume follower: end moved the cursor');
    });

    it("'resume' from a cursor delivers the backlog in order", async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      await a.follower.stop();
      const missed = Array.from({ length: 1200 }, (_, i) => chat(`backlog ${i} 数据`));
      await g.writer.append(...missed);
      const b = collectingFollower(g, { maxBatchEvents: 500 });
      await started(b.follower);
      await waitFor(() => b.events.length === 1200, 'backlog');
      expect(ids(b.events)).toEqual(ids(missed));
      expect(b.batches.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('rotation', () => {
    it('while running: finishes the renamed file before reading the new one', async () => {
      g = await tempGroup();
      const got: LedgerEvent[] = [];
      const hold = gate();
      let first = true;
      const f = new LedgerFollower({
        groupDir: g.groupDir,
        cursorPath: g.cursorPath,
        pollIntervalMs: 50,
        onBatch: async (batch) => {
          if (first) {
            first = false;
            await hold.wait;
          }
          got.push(...batch.events);
          await batch.commit();
        },
      });
      await started(f);
      const before = [chat('before 1')];
      await g.writer.append(...before);
      await waitFor(() => !first, 'first batch in flight');
      // While the consumer is busy: more lines land in the old file, CCCC rotates, new lines follow.
      const tailOfOld = [chat('old tail 1'), chat('旧文件的最后一行')];
      await g.writer.append(...tailOfOld);
      await g.writer.rotate({ touch: true });
      const inNew = [chat('new 1'), chat('new 2')];
      await g.writer.append(...inNew);
      hold.open();
      await waitFor(() => got.length >= 5, 'all events');
      await expectQuietFor(100, 'nothing repeated', () => got.length === 5);
      expect(ids(got)).toEqual(ids([...before, ...tailOfOld, ...inNew]));
    });

    it('while running: the old file is finished even if CCCC gzips and unlinks it meanwhile', async () => {
      g = await tempGroup();
      const got: LedgerEvent[] = [];
      const hold = gate();
      let first = true;
      const f = new LedgerFollower({
        groupDir: g.groupDir,
        cursorPath: g.cursorPath,
        pollIntervalMs: 50,
        onBatch: async (batch) => {
          if (first) {
            first = false;
            await hold.wait;
          }
          got.push(...batch.events);
          await batch.commit();
        },
      });
      await started(f);
      const before = chat('before');
      await g.writer.append(before);
      await waitFor(() => !first, 'first batch in flight');
      const tailOfOld = [chat('old tail')];
      await g.writer.append(...tailOfOld);
      await g.writer.rotate({ gzip: true });
      const inNew = [chat('new')];
      await g.writer.append(...inNew);
      hold.open();
      await waitFor(() => got.length >= 3, 'all events');
      expect(ids(got)).toEqual(ids([before, ...tailOfOld, ...inNew]));
    });

    it('while running: a last line without its newline in the rotated file is still delivered', async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      const unterminated = chat('written without a trailing newline');
      const partial = Buffer.byteLength(JSON.stringify(unterminated));
      const readBefore = a.follower.stats().bytesRead;
      await g.writer.appendRaw(JSON.stringify(unterminated));
      // The follower sees a partial line (twice) and waits.
      await waitFor(() => a.follower.stats().bytesRead >= readBefore + 2 * partial, 'two reads of the partial line');
      expect(a.events).toEqual([]);
      await g.writer.rotate({ touch: true });
      const inNew = chat('in the new file');
      await g.writer.append(inNew);
      await waitFor(() => a.events.length >= 2, 'both');
      expect(ids(a.events)).toEqual([unterminated.id, inNew.id]);
    });

    it('while running: many fast rotations (some gzipped) lose and repeat nothing', async () => {
      g = await tempGroup();
      const a = collectingFollower(g, { pollIntervalMs: 20 });
      await started(a.follower);
      const all: string[] = [];
      for (let r = 0; r < 25; r++) {
        for (let i = 0; i < 8; i++) {
          const ev = chat(`r${r} e${i} 轮换`);
          all.push(ev.id);
          await g.writer.append(ev);
        }
        await g.writer.rotate({ gzip: r % 3 === 0, touch: r % 2 === 0 });
      }
      await waitFor(() => a.events.length >= all.length, 'all events', 10_000);
      await expectQuietFor(100, 'nothing repeated', () => a.events.length === all.length);
      expect(ids(a.events)).toEqual(all);
    });

    it('while stopped (plain segment): drains the rest of the old file first', async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      const seen = chat('seen');
      await g.writer.append(seen);
      await waitFor(() => a.events.length === 1, 'seen');
      await a.follower.stop();

      const oldTail = [chat('old tail 1'), chat('old tail 2')];
      await g.writer.append(...oldTail);
      await g.writer.rotate({ touch: true });
      const fresh = [chat('fresh 1')];
      await g.writer.append(...fresh);

      const b = collectingFollower(g);
      await started(b.follower);
      await waitFor(() => b.events.length >= 3, 'drained + fresh');
      await expectQuietFor(100, 'nothing repeated', () => b.events.length === 3);
      expect(ids(b.events)).toEqual(ids([...oldTail, ...fresh]));
    });

    it('while stopped (gzipped segment, then another plain one): nothing skipped, nothing repeated', async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      const seen = [chat('seen 1'), chat('seen 2')];
      await g.writer.append(...seen);
      await waitFor(() => a.events.length === 2, 'seen');
      await a.follower.stop();

      const tail1 = [chat('tail of segment 1 — 中文')];
      await g.writer.append(...tail1);
      await g.writer.rotate({ gzip: true });
      const seg2 = [chat('segment 2 a'), chat('segment 2 b')];
      await g.writer.append(...seg2);
      await g.writer.rotate();
      const active = [chat('active')];
      await g.writer.append(...active);

      const logger = memoryLogger();
      const b = collectingFollower(g, { logger });
      await started(b.follower);
      await waitFor(() => b.events.length >= 4, 'everything after the cursor');
      await expectQuietFor(100, 'nothing repeated', () => b.events.length === 4);
      expect(ids(b.events)).toEqual(ids([...tail1, ...seg2, ...active]));
      expect(logger.records.some((r) => r.msg.includes('rotated while stopped'))).toBe(true);
    });

    it('while stopped with an empty cursor file that was rotated: reads it from its start', async () => {
      g = await tempGroup(); // empty ledger.jsonl: the first start's cursor has no head yet
      const a = collectingFollower(g);
      await started(a.follower);
      await a.follower.stop();
      const inOld = [chat('written after the first start')];
      await g.writer.append(...inOld);
      await g.writer.rotate({ touch: true });
      const inNew = [chat('new file')];
      await g.writer.append(...inNew);
      const b = collectingFollower(g);
      await started(b.follower);
      await waitFor(() => b.events.length >= 2, 'both');
      expect(ids(b.events)).toEqual(ids([...inOld, ...inNew]));
    });

    it("when the cursor's segment was deleted: warns and delivers everything still on disk after it", async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      const seen = chat('seen');
      await g.writer.append(seen);
      await waitFor(() => a.events.length === 1, 'seen');
      await a.follower.stop();
      // The later events must be newer than the handled one (timestamps have millisecond steps).
      await waitFor(() => Date.now() > Date.parse(seen.ts), 'the clock to pass the handled event');
      await g.writer.append(chat('lost with its segment'));
      const seg1 = await g.writer.rotate({ touch: true });
      const seg2Events = [chat('segment 2')];
      await g.writer.append(...seg2Events);
      await g.writer.rotate({ gzip: true });
      const fresh = [chat('fresh')];
      await g.writer.append(...fresh);
      await rm(seg1);
      const logger = memoryLogger();
      const b = collectingFollower(g, { logger });
      await started(b.follower);
      await waitFor(() => b.events.length >= 2, 'later files');
      await expectQuietFor(100, 'nothing repeated', () => b.events.length === 2);
      expect(ids(b.events)).toEqual(ids([...seg2Events, ...fresh]));
      expect(logger.records.some((r) => r.level === 'warn' && r.msg.includes('no longer exists'))).toBe(true);
    });

    it("when the cursor's file was replaced by a copy: skips events older than the cursor", async () => {
      g = await tempGroup();
      const a = collectingFollower(g);
      await started(a.follower);
      const seen = chat('seen');
      await g.writer.append(seen);
      await waitFor(() => a.events.length === 1, 'seen');
      await a.follower.stop();
      const prelude = { ...chat('restored from a backup'), ts: '2020-01-01T00:00:00.000000Z' };
      const newer = chat('newer');
      await rm(g.writer.path);
      await g.writer.append(prelude, seen, newer);
      const b = collectingFollower(g);
      await started(b.follower);
      await waitFor(() => b.events.length >= 1, 'newer');
      await expectQuietFor(100, 'no older event from the copy', () => b.events.length === 1);
      expect(ids(b.events)).toEqual([newer.id]);
    });
  });

  it('reads group events of every kind with extra fields (lenient schema)', async () => {
    g = await tempGroup();
    const a = collectingFollower(g);
    await started(a.follower);
    const notify = makeEvent(GROUP_ID, 'system.notify', 'system', { message: 'hi', im_visibility: 'public', future_field: [1, 2] });
    const msg = makeEvent(GROUP_ID, 'chat.message', 'boss', chatMessageData('hello', []));
    await g.writer.append(notify, { ...msg, unknown_top_level: true } as typeof msg);
    await waitFor(() => a.events.length === 2, 'both');
    expect(a.events[1]?.unknown_top_level).toBe(true);
    expect(a.events[0]?.kind).toBe('system.notify');
  });

  it('refuses to start on a missing group folder with a typed error', async () => {
    g = await tempGroup();
    const f = new LedgerFollower({ groupDir: `${g.groupDir}-nope`, cursorPath: g.cursorPath, onBatch: () => undefined });
    await expect(f.start()).rejects.toMatchObject({ code: 'cccc.group_dir_missing' });
  });
});

describe('LedgerFollower on a shared clock', () => {
  /** The safety poll's clock, ticked by the test. */
  function handClock(): { join(member: TickMember): () => void; tick(): void; size(): number } {
    const members = new Set<TickMember>();
    return {
      join: (member) => {
        members.add(member);
        return () => members.delete(member);
      },
      tick: () => members.forEach((m) => m()),
      size: () => members.size,
    };
  }

  it('reads on a tick only when the ledger is not where it stopped: what the watch missed is found, an idle ledger costs no read', async () => {
    g = await tempGroup();
    const clock = handClock();
    // No watch: only the clock's ticks can find what is appended.
    const a = collectingFollower(g, { watch: false, clock });
    await started(a.follower);
    expect(clock.size()).toBe(1);
    const reads = vi.spyOn(LedgerFile.prototype, 'readLines');
    try {
      const first = chat('found by the poll');
      await g.writer.append(first);
      clock.tick();
      await waitFor(() => a.events.length === 1, 'the append found on a tick');
      const end = (await stat(g.writer.path)).size;
      await waitFor(async () => (await cursorOffset()) === end, 'the batch committed');

      const before = reads.mock.calls.length;
      for (let i = 0; i < 5; i++) {
        clock.tick();
        // At most the read that ended the last batch (it found nothing more); a tick reads nothing.
        await expectQuietFor(40, 'no read on a tick while caught up', () => reads.mock.calls.length - before <= 1);
      }

      const second = chat('found by the next poll');
      await g.writer.append(second);
      clock.tick();
      await waitFor(() => a.events.length === 2, 'the next append found on a tick');
      expect(ids(a.events)).toEqual([first.id, second.id]);
    } finally {
      reads.mockRestore();
    }
    await a.follower.stop();
    expect(clock.size()).toBe(0);
  });
});
