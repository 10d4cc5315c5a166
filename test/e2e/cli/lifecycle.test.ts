import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { isAlive, livePidsInLocks, startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const CHAT = 'cidCliChat001==';
const say = (world: World, text: string): void => {
  world.dt.injectMessage({ text, conversationId: CHAT, conversationType: '2', conversationTitle: 'Ops room', senderStaffId: 'staff-ann', senderNick: 'Ann' });
};
const sentTexts = (world: World): string[] => world.dt.sentMessages().map((m) => JSON.stringify(m.msgParam));

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    if ((await stat(path)).isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe('cccc-dingtalk set / doctor / start --detach / status / approve / logs / stop', () => {
  it('runs a detached bridge that carries a DingTalk message into the CCCC ledger, and stops it cleanly', async () => {
    w = await startWorld();
    const world = w;

    const tooFew = await world.configure(['--max-message-chars', '10']);
    expect(tooFew.code).toBe(1);
    expect(tooFew.stderr).toContain('--max-message-chars must be a whole number of characters between 100 and 100000');
    const set = await world.configure(['--robot-code-env', 'DINGTALK_ROBOT_CODE', '--lang', 'en', '--max-file-mb', '5', '--max-message-chars', '5000']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Configured bridge "default"');
    expect(set.stdout).toContain('AppSecret:   from $DINGTALK_APP_SECRET');
    const config = await readFile(join(world.configHome, 'config.json'), 'utf8');
    expect(JSON.parse(config)).toMatchObject({
      version: 2,
      bridges: [
        {
          id: 'default',
          groupId: world.groupId,
          appKeyEnv: 'DINGTALK_APP_KEY',
          secret: { from: 'env', name: 'DINGTALK_APP_SECRET' },
          robotCodeEnv: 'DINGTALK_ROBOT_CODE',
          settings: { replyLanguage: 'en', maxFileMb: 5, maxMessageChars: 5000 },
        },
      ],
    });
    expect(config).not.toContain(world.appSecret);

    const doctor = await world.cli(['doctor', '--json']);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: { id: string; status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['cccc', 'ok'],
      ['group', 'ok'],
      ['python', 'ok'],
      ['credentials', 'ok'],
      ['cards', 'ok'],
      ['button_cards', 'skip'],
      ['stream', 'ok'],
      ['cccc_bridge', 'ok'],
      ['instance', 'ok'],
      ['chats', 'ok'],
      ['api_usage', 'ok'],
    ]);

    const start = await world.cli(['start', '--detach']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(start.stdout)?.[1]);
    expect(start.stdout).toMatch(/is running \(pid \d+\): connected to DingTalk/);
    expect(isAlive(pid)).toBe(true);
    expect((await readFile(join(world.configHome, 'bridges', 'default', 'bridge.pid'), 'utf8')).trim()).toBe(String(pid));

    const status = await world.cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, pid, state: 'running', dingtalk: { status: 'connected' }, outboxDepth: 0 });
    // The running bridge's own count, from its status.json: at least its token and its Stream ticket.
    expect((JSON.parse(status.stdout) as { apiUsage: { calls: number } }).apiUsage.calls).toBeGreaterThanOrEqual(1);

    // A chat asks to subscribe; the CLI user approves it (no dashboard on a server).
    say(world, '/subscribe');
    await waitFor(() => sentTexts(world).find((t) => t.includes('cccc im bind --key')), 'the key reply', 8_000);
    const pending = await world.cli(['pending', '--json']);
    const [request] = JSON.parse(pending.stdout) as { key: string; chatId: string; chatTitle?: string; senderNick?: string }[];
    expect(request).toMatchObject({ chatId: CHAT, chatTitle: 'Ops room', senderNick: 'Ann' });
    // For people: the names are the requester's own claims.
    // The chat by its name; its id only with --verbose. The key is what the chat was told.
    const listed = (await world.cli(['pending'])).stdout;
    expect(listed).toContain(`${request!.key}  from someone who claims to be "Ann" in a chat that claims to be "Ops room", expires`);
    expect(listed).not.toContain(CHAT);
    expect((await world.cli(['pending', '--verbose'])).stdout).toContain(`in a chat that claims to be "Ops room" [${CHAT}]`);
    const approve = await world.cli(['approve', request!.key]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(`chat ${CHAT} is now authorized and subscribed`);
    await waitFor(() => sentTexts(world).find((t) => /approved/i.test(t)), 'the approval confirmation in the chat', 8_000);

    say(world, 'please run the tests\n  and report');
    const ledger = join(world.cccc.groupDir(world.groupId), 'ledger.jsonl');
    const event = await waitFor(
      async () =>
        (await readFile(ledger, 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { kind: string; by: string; data: Record<string, unknown> })
          .find((e) => e.kind === 'chat.message' && e.by === 'user' && e.data['text'] === 'please run the tests\n  and report'),
      'the message in the CCCC ledger',
      8_000,
    );
    expect(event.data).toMatchObject({ source_platform: 'dingtalk', source_user_name: 'Ann', to: ['@foreman'] });

    const subscribed = await waitFor(
      async () => {
        const s = JSON.parse((await world.cli(['status', '--json'])).stdout) as {
          chats: { chatId: string; title: string; subscribed: boolean; verbose: boolean; paused: boolean }[];
        };
        return s.chats.length > 0 ? s : undefined;
      },
      'the chat in the status',
      10_000,
      500,
    );
    expect(subscribed.chats).toEqual([{ chatId: CHAT, title: 'Ops room', type: 'group', subscribed: true, verbose: false, paused: false }]);
    const human = await world.cli(['status']);
    expect(human.stdout).toContain('DingTalk:    connected');
    expect(human.stdout).toContain('Ops room (group) — subscribed');
    expect(human.stdout).not.toContain(CHAT);
    expect((await world.cli(['status', '--verbose'])).stdout).toContain(`Ops room (group) [${CHAT}] — subscribed`);

    const logs = await world.cli(['logs', '-n', '200']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} INFO /m);
    expect(logs.stdout).toContain('Stream connected');
    expect(logs.stdout).toContain(`approve with \`cccc-dingtalk approve ${request!.key}\``);
    expect(logs.stdout).not.toContain(world.appSecret);

    const stop = await world.cli(['stop']);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`Stopped bridge "default" (pid ${pid})`);
    expect(isAlive(pid)).toBe(false);
    expect(await livePidsInLocks(world.cccc.home)).toEqual([]);
    const after = await world.cli(['status']);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('Bridge "default": not running');
    expect((await world.cli(['stop'])).stdout).toContain('is not running');

    // The secret is nowhere on disk: config, state, status, logs, audit trail.
    for (const file of await filesUnder(world.configHome)) expect(await readFile(file, 'utf8'), file).not.toContain(world.appSecret);
  }, 60_000);
});
