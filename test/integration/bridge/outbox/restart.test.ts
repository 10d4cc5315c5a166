import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { killAfter, waitFor } from '../../../helpers/wait';
import { startHarness, groupChat, textItem, contentsFor, type Harness } from './harness';

let h: Harness;
afterEach(async () => h.close());

const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const script = fileURLToPath(new URL('./outbox-child.script.ts', import.meta.url));
const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('outbox restart', () => {
  it('closing mid-flight keeps the rest on disk; a new Outbox on the same dir delivers each exactly once', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    h.dt.setFault({ httpDelayMs: 10 });
    const chats = [groupChat('R1'), groupChat('R2'), groupChat('R3')];
    const first = await h.outbox({ qpsPerApi: 200 });
    await first.enqueue(chats.flatMap((c) => range(15, c.conversationId).map((t) => textItem(c, t))));
    await waitFor(() => h.dt.sentMessages().length >= 6, 'some sends');
    await first.close();
    const sentBefore = h.dt.sentMessages().length;
    expect(sentBefore).toBeLessThan(45);
    await expect(first.enqueue([textItem(chats[0]!, 'late')])).rejects.toThrow(/not open/);

    const second = await h.outbox({ qpsPerApi: 200 });
    expect(second.depth()).toBe(45 - sentBefore);
    await second.idle();
    for (const c of chats) expect(contentsFor(h.dt.sentMessages(), c)).toEqual(range(15, c.conversationId));
    expect(h.dt.sentMessages()).toHaveLength(45);
  });

  it('after kill -9 mid-delivery, a restart loses nothing; at most the one in-flight item per chat is repeated', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    h.dt.setFault({ httpDelayMs: 5 });
    const app = h.dt.apps[0]!;
    const dir = join(h.dir, 'outbox');
    const CHATS = 3;
    const COUNT = 40;
    // node itself (not the tsx launcher, which runs node as a grandchild) so SIGKILL hits the outbox.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', script, h.dt.apiBase, h.dt.oapiBase, app.appKey, app.appSecret, dir, String(CHATS), String(COUNT), 'run'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      await waitFor(() => out.includes('enqueued') || err, 'the child to enqueue', 15_000);
      expect(err).toBe('');
      await waitFor(() => h.dt.sentMessages().length >= 20, 'the child to deliver some', 10_000);
    } finally {
      // Also when a wait failed: never leave the child running.
      child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const sentByChild = h.dt.sentMessages().length;
    expect(sentByChild).toBeLessThan(CHATS * COUNT);

    const box = await h.outbox({ qpsPerApi: 200 });
    await box.idle();
    const sent = h.dt.sentMessages();
    let repeats = 0;
    for (let c = 0; c < CHATS; c++) {
      const got = contentsFor(sent, { conversationId: `cidKill${c}`, conversationType: 'group' });
      const firsts = got.filter((t, i) => got.indexOf(t) === i);
      expect(firsts).toEqual(Array.from({ length: COUNT }, (_, i) => `c${c}-m${i}`));
      const chatRepeats = got.length - firsts.length;
      // A repeat can only be the item that was sent but not yet marked done, i.e. resent first.
      expect(chatRepeats).toBeLessThanOrEqual(1);
      repeats += chatRepeats;
    }
    expect(sent).toHaveLength(CHATS * COUNT + repeats);
  });

  it('close() during retries leaves no timer or socket: the process exits on its own, items kept', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    // Every send fails, so items sit in backoff timers when close() comes.
    h.dt.setFault({ networkErrorNext: 10_000 });
    const app = h.dt.apps[0]!;
    const dir = join(h.dir, 'outbox');
    const child = spawn(process.execPath, ['--import', 'tsx', script, h.dt.apiBase, h.dt.oapiBase, app.appKey, app.appSecret, dir, '2', '5', 'close'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const cancelKill = killAfter(child, 10_000);
    const code = await exited;
    cancelKill();
    // No timer was pending right after close() resolved.
    expect(out).toBe('enqueued\nclosed []\n');
    expect(code).toBe(0);
    h.dt.clearFaults();
    const box = await h.outbox();
    expect(box.depth()).toBe(10);
    await box.idle();
    expect(h.dt.sentMessages()).toHaveLength(10);
  });
});
