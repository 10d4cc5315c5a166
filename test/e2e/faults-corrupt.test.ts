/**
 * State files damaged while the bridge is stopped: each one in turn is corrupted, agents write
 * meanwhile, the bridge starts again. Nothing may be lost or doubled beyond what the damage itself
 * destroyed, and the person and the dashboard hear once what could not be rebuilt.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { GROUP_CHAT, startE2E, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

/** Overwrites the middle of the file's middle line with bytes that are not JSON (as a bad sector or a stray editor would). */
async function garble(path: string): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const i = Math.floor((lines.length - 1) / 2);
  const line = lines[i]!;
  lines[i] = `${line.slice(0, line.length / 4)}${'~'.repeat(line.length / 2)}${line.slice((3 * line.length) / 4)}`;
  await writeFile(path, lines.join('\n'));
}

/** Messages the robot sent with this text: exactly once each is what we want. */
function copies(e: E2E, text: string): number {
  return e.texts().filter((t) => t === `[boss] ${text}`).length;
}

/** Damage reports: the dashboard's Problem event is logged once per start. */
function damageReports(e: E2E): number {
  return e.log.records.filter((r) => r.level === 'error' && r.msg.includes('state files were damaged')).length;
}

/** A subscribed chat that got one agent message ('before the stop'), then the bridge stopped. */
async function sentOneThenStopped(): Promise<E2E> {
  const x = await startE2E();
  await x.subscribe();
  await x.cccc.speak('boss', 'before the stop', { to: ['user'] });
  await x.reply('before the stop');
  await x.bridge.stop();
  return x;
}

async function agentWhileStopped(e: E2E, texts: string[]): Promise<void> {
  for (const t of texts) await e.cccc.speak('boss', t, { to: ['user'] });
}

describe('corrupt state files while the bridge is stopped', () => {
  it('ledger-cursor.json garbled: the cursor is rebuilt, the 6 messages written meanwhile arrive once, none is re-sent', { timeout: 30_000 }, async () => {
    e = await sentOneThenStopped();
    const meanwhile = Array.from({ length: 6 }, (_, i) => `meanwhile ${i}`);
    await agentWhileStopped(e, meanwhile);
    await garble(join(e.stateDir, 'ledger-cursor.json'));
    await e.restartBridge();
    await waitFor(() => meanwhile.every((t) => copies(e!, t) >= 1), 'the messages written while stopped', 8_000);
    await expectQuietFor(500, 'each message sent once', () => [...meanwhile, 'before the stop'].every((t) => copies(e!, t) === 1));
    expect(meanwhile.map((t) => copies(e!, t))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(copies(e, 'before the stop')).toBe(1);
    expect((await readdir(e.stateDir)).some((f) => f.startsWith('ledger-cursor.json.corrupt-'))).toBe(true);
    expect(damageReports(e)).toBe(1);
    expect(e.bridge.status().lastProblem?.code).toBe('state.damaged');
  });

  it('chats.json truncated (and its copy gone): chats are rebuilt from CCCC and the audit trail, the 2 messages arrive once', { timeout: 30_000 }, async () => {
    e = await sentOneThenStopped();
    const path = join(e.stateDir, 'chats.json');
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
    await rm(`${path}.bak`, { force: true });
    await agentWhileStopped(e, ['meanwhile 0', 'meanwhile 1']);
    await e.restartBridge();
    await waitFor(() => copies(e!, 'meanwhile 1') >= 1, 'the messages written while stopped', 8_000);
    await expectQuietFor(500, 'each message sent once', () => ['meanwhile 0', 'meanwhile 1', 'before the stop'].every((t) => copies(e!, t) === 1));
    expect([copies(e, 'meanwhile 0'), copies(e, 'meanwhile 1'), copies(e, 'before the stop')]).toEqual([1, 1, 1]);
    expect(damageReports(e)).toBe(1);
  });

  it('held messages garbled during /pause: one damaged message is reported on /resume, the others follow once', { timeout: 30_000 }, async () => {
    e = await startE2E();
    await e.subscribe();
    e.say('/pause');
    await e.reply(/已暂停推送/);
    await agentWhileStopped(e, ['held 1', 'held 2', 'held 3']);
    const heldFile = async () => (await readdir(e!.stateDir)).find((f) => f === 'held.jsonl' || f === 'held.json');
    await waitFor(
      async () => (await heldFile()) !== undefined && (await readFile(join(e!.stateDir, (await heldFile())!), 'utf8')).includes('held 3'),
      'held on disk',
    );
    await e.bridge.stop();
    await garble(join(e.stateDir, (await heldFile())!));
    await e.restartBridge();
    e.say('/resume');
    await e.reply(/已恢复推送/);
    await waitFor(() => e!.texts().some((t) => t.includes('held 3')), 'held 3 sent', 8_000);
    const damagedNotices = () => e!.texts().filter((t) => t.includes('暂停期间暂存的 1 条消息在磁盘上已损坏')).length;
    await expectQuietFor(
      500,
      'the damage told once, the held messages sent once',
      () => damagedNotices() === 1 && copies(e!, 'held 1') === 1 && copies(e!, 'held 2') === 0 && copies(e!, 'held 3') === 1,
    );
    const texts = e.texts();
    expect(texts.filter((t) => t.includes('暂停期间暂存的 1 条消息在磁盘上已损坏'))).toHaveLength(1);
    expect(texts).toContain('▶️ 已恢复推送，暂停期间有 2 条消息，马上补发。');
    expect([copies(e, 'held 1'), copies(e, 'held 2'), copies(e, 'held 3')]).toEqual([1, 0, 1]);
    expect(damageReports(e)).toBe(1);
  });

  for (const [file, told] of [
    ['inbound.jsonl', /你发送的 1 条消息未能送达智能体，请重新发送/],
    ['inbox.jsonl', /你发送的 1 条消息未能送达智能体，请重新发送/],
    ['outbox.jsonl', /智能体发给你的 1 条消息无法补发/],
  ] as const) {
    it(`${file} with a garbled line: the line is kept aside, the chat and the dashboard are told once`, { timeout: 30_000 }, async () => {
      e = await sentOneThenStopped();
      const path = join(e.stateDir, file);
      const prior = await readFile(path, 'utf8').catch(() => '');
      await writeFile(
        path,
        `${prior}{"op":"add","id":"m-lost","data":{"conversationId":"${GROUP_CHAT}","chat":{"conversationId":"${GROUP_CHAT}"},"te~~~~\u0000~~\n`,
      );
      await agentWhileStopped(e, ['meanwhile 0']);
      await e.restartBridge();
      await e.reply(told);
      await waitFor(() => copies(e!, 'meanwhile 0') === 1, 'the message written while stopped');
      await expectQuietFor(
        500,
        'the loss told once, each message sent once',
        () => e!.texts().filter((t) => told.test(t)).length === 1 && copies(e!, 'meanwhile 0') === 1 && copies(e!, 'before the stop') === 1,
      );
      expect(e.texts().filter((t) => told.test(t))).toHaveLength(1);
      expect(copies(e, 'before the stop')).toBe(1);
      expect((await readFile(`${path}.rejected`, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
      expect(damageReports(e)).toBe(1);
    });
  }
});
