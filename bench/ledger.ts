/**
 * Ledger follower figures:
 * - append → consumer latency, one event at a time (fs.watch wake-up; target p50 < 20 ms);
 * - sustained parse rate over a large backlog, consumer committing every batch (target ≥ 50,000 events/s);
 * - start-up on a 1 GB ledger with the cursor near the end: start() until the new tail is
 *   delivered (target < 100 ms), and the bytes read doing it.
 */
import { appendFile, mkdtemp, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { saveCursor } from '../electron/core/cccc/ledger/cursor';
import { LedgerFollower, type LedgerBatch } from '../electron/core/cccc/ledger/follower';
import { chatMessageData, LedgerWriter, makeEvent, type LedgerEvent } from '../test/fakes/cccc/ledger';
import { percentile, round } from './stats';

export const name = 'ledger';

const GROUP = 'g_bench00000000';
const LATENCY_SAMPLES = 300;
const LATENCY_WARMUP = 20;
const BACKLOG = 200_000;

function event(i: number): LedgerEvent {
  return makeEvent(GROUP, 'chat.message', 'peer1', chatMessageData(`第 ${i} 条: build finished, 测试全部通过 — see the report for details`, ['user']));
}

async function group(): Promise<{ root: string; dir: string; cursor: string; writer: LedgerWriter }> {
  const root = await mkdtemp(join(tmpdir(), 'ledger-bench-'));
  const dir = join(root, 'groups', GROUP);
  const writer = new LedgerWriter(dir);
  await writer.appendRaw('');
  return { root, dir, cursor: join(root, 'cursor.json'), writer };
}

/** A cursor at `offset` of the current ledger.jsonl, whose first event is `head`. */
async function cursorAt(g: { dir: string; cursor: string; writer: LedgerWriter }, head: string, offset: number): Promise<void> {
  const st = await stat(g.writer.path, { bigint: true });
  await saveCursor(g.cursor, {
    v: 1,
    file: { dev: st.dev.toString(), ino: st.ino.toString(), head },
    offset,
    lastEventId: null,
    lastEventTs: null,
    savedAt: new Date().toISOString(),
  });
}

async function latency(): Promise<Record<string, number>> {
  const g = await group();
  const sent = new Map<string, number>();
  const samples: number[] = [];
  let arrived: (() => void) | undefined;
  const follower = new LedgerFollower({
    groupDir: g.dir,
    cursorPath: g.cursor,
    onBatch: async (batch: LedgerBatch) => {
      const now = performance.now();
      for (const e of batch.events) samples.push(now - (sent.get(e.id) ?? now));
      await batch.commit();
      arrived?.();
    },
  });
  await follower.start();
  try {
    for (let i = 0; i < LATENCY_SAMPLES + LATENCY_WARMUP; i++) {
      const e = event(i);
      const got = new Promise<void>((r) => (arrived = r));
      sent.set(e.id, performance.now());
      await appendFile(g.writer.path, JSON.stringify(e) + '\n');
      await got;
      await new Promise((r) => setTimeout(r, 2)); // events a few ms apart, as from a daemon
    }
  } finally {
    await follower.stop();
    await rm(g.root, { recursive: true, force: true });
  }
  const measured = samples.slice(LATENCY_WARMUP);
  return {
    ledger_latency_samples: measured.length,
    ledger_latency_p50_ms: percentile(measured, 50),
    ledger_latency_p99_ms: percentile(measured, 99),
  };
}

async function parseRate(): Promise<Record<string, number>> {
  const g = await group();
  const first = event(0);
  const lines: string[] = [JSON.stringify(first)];
  for (let i = 1; i < BACKLOG; i++) lines.push(JSON.stringify(event(i)));
  await appendFile(g.writer.path, lines.join('\n') + '\n');
  const bytes = (await stat(g.writer.path)).size;
  await cursorAt(g, first.id, 0);
  let count = 0;
  let done: (() => void) | undefined;
  const finished = new Promise<void>((r) => (done = r));
  const follower = new LedgerFollower({
    groupDir: g.dir,
    cursorPath: g.cursor,
    onBatch: async (batch) => {
      count += batch.events.length;
      await batch.commit();
      if (count >= BACKLOG) done?.();
    },
  });
  const t0 = performance.now();
  await follower.start();
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  await follower.stop();
  await rm(g.root, { recursive: true, force: true });
  return {
    ledger_backlog_events: BACKLOG,
    ledger_backlog_mb: round(bytes / 1048576, 1),
    ledger_parse_events_per_s: Math.round(BACKLOG / seconds),
    ledger_parse_mb_per_s: round(bytes / 1048576 / seconds, 1),
  };
}

async function startup1gb(): Promise<Record<string, number>> {
  const g = await group();
  const first = event(0);
  await g.writer.append(first);
  await truncate(g.writer.path, 1_000_000_000); // sparse: a real head, a hole, real lines after
  await g.writer.appendRaw('\n');
  await g.writer.append(...Array.from({ length: 50 }, (_, i) => event(i + 1)));
  await cursorAt(g, first.id, (await stat(g.writer.path)).size);
  const tail = Array.from({ length: 10 }, (_, i) => event(i + 100));
  await g.writer.append(...tail);

  let got = 0;
  let done: (() => void) | undefined;
  const delivered = new Promise<void>((r) => (done = r));
  const follower = new LedgerFollower({
    groupDir: g.dir,
    cursorPath: g.cursor,
    onBatch: async (batch) => {
      got += batch.events.length;
      await batch.commit();
      if (got >= tail.length) done?.();
    },
  });
  const t0 = performance.now();
  await follower.start();
  const startMs = performance.now() - t0;
  await delivered;
  const tailMs = performance.now() - t0;
  const bytesRead = follower.stats().bytesRead;
  await follower.stop();
  await rm(g.root, { recursive: true, force: true });
  return {
    ledger_1gb_start_ms: round(startMs, 2),
    ledger_1gb_start_to_tail_delivered_ms: round(tailMs, 2),
    ledger_1gb_start_bytes_read: bytesRead,
  };
}

export async function run(): Promise<Record<string, number>> {
  return { ...(await latency()), ...(await parseRate()), ...(await startup1gb()) };
}
