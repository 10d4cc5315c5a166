/**
 * One robot, several CCCC groups, from the CLI (docs/architecture.md §1): `set --group A --group B`
 * and `set --all-groups`, the bridge run by `start --detach`, each chat approved with `approve`
 * in the group it chose, each group's agents heard only in its chats, and `status` naming the groups.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from '../harness';
import { expectQuietFor, waitFor } from '../../helpers/wait';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const ALPHA_CHAT = 'cidAlphaRoom==';
const BETA_CHAT = 'cidBetaRoom==';
const GAMMA_CHAT = 'cidGammaRoom==';

interface StatusJson {
  running: boolean;
  groups?: { groupId: string; title: string; state: string }[];
  chats: { chatId: string; groupId?: string; subscribed: boolean }[];
}

/** cidBetaRoom== is the chat "BetaRoom". */
const roomName = (chat: string): string => chat.replace(/^cid|=+$/g, '');

const sentTo = (world: World, chat: string): string[] =>
  world.dt
    .sentMessages()
    .filter((m) => m.conversationId === chat)
    .map(textOf);

/** The chat asks for `group` by its title; the CLI user approves the request it made there. */
async function subscribe(world: World, chat: string, group: string, title: string): Promise<void> {
  world.dt.injectMessage({
    text: `/subscribe ${title}`,
    conversationId: chat,
    conversationType: '2',
    conversationTitle: roomName(chat),
    senderStaffId: 'staff-ann',
    senderNick: 'Ann',
  });
  await waitFor(() => sentTo(world, chat).find((t) => t.includes(`--group ${group}`)), `the key reply in ${chat}`, 8_000);
  const pending = JSON.parse((await world.cli(['pending', '--json'])).stdout) as { key: string; chatId: string; groupId?: string }[];
  const request = pending.find((p) => p.chatId === chat);
  expect(request?.groupId).toBe(group);
  const approved = await world.cli(['approve', request!.key]);
  expect(approved.stdout).toContain(`subscribed to group ${group}`);
  await waitFor(() => sentTo(world, chat).find((t) => /approved/i.test(t)), `the approval in ${chat}`, 10_000);
}

/** Each group's agent speaks; each chat hears its own group's, and nothing of another's. */
async function speakAndHear(world: World, groups: { id: string; title: string; chat: string }[], words: string): Promise<void> {
  for (const g of groups) await world.cccc.speak('boss', `${g.title}: ${words}`, { group: g.id });
  for (const g of groups) await waitFor(() => sentTo(world, g.chat).find((t) => t === `[${g.title} · boss] ${g.title}: ${words}`), `${g.title} heard`, 10_000);
  await expectQuietFor(500, 'no message crosses to another group', () =>
    groups.every((g) => groups.every((other) => other === g || !sentTo(world, g.chat).some((t) => t.includes(`${other.title}: ${words}`)))),
  );
}

/** `status --json` once it shows every group running and each chat subscribed in its group. */
async function statusJson(world: World, groups: { id: string; chat: string }[]): Promise<StatusJson> {
  return waitFor(
    async () => {
      const s = JSON.parse((await world.cli(['status', '--json'])).stdout) as StatusJson;
      const chatsIn = (g: { id: string; chat: string }) => s.chats.some((c) => c.chatId === g.chat && c.subscribed && c.groupId === g.id);
      return s.groups?.length === groups.length && s.groups.every((g) => g.state === 'running') && groups.every(chatsIn) ? s : undefined;
    },
    `status with ${groups.length} groups and their chats`,
    10_000,
    300,
  );
}

describe('cccc-dingtalk with several CCCC groups', () => {
  it('set --group A --group B, then --all-groups: each chat gets its own group’s agents only, and status shows the groups', { timeout: 90_000 }, async () => {
    w = await startWorld();
    const world = w;
    const alpha = { id: world.groupId, title: 'Demo project', chat: ALPHA_CHAT };
    const beta = { id: await world.cccc.createGroup({ title: 'Beta project', actors: ['boss'] }), title: 'Beta project', chat: BETA_CHAT };

    const set = await world.configure(['--group', beta.id, '--lang', 'en']);
    expect(set.code).toBe(0);
    const config = JSON.parse(await readFile(join(world.configHome, 'config.json'), 'utf8')) as { bridges: Record<string, unknown>[] };
    expect(config.bridges[0]).toMatchObject({ groupId: alpha.id, moreGroupIds: [beta.id] });
    expect(config.bridges[0]).not.toHaveProperty('allGroups');

    const start = await world.cli(['start', '--detach']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    await subscribe(world, ALPHA_CHAT, alpha.id, alpha.title);
    await subscribe(world, BETA_CHAT, beta.id, beta.title);
    await speakAndHear(world, [alpha, beta], 'first words');

    const status = await statusJson(world, [alpha, beta]);
    expect(status.groups?.map((g) => [g.groupId, g.title])).toEqual([
      [alpha.id, alpha.title],
      [beta.id, beta.title],
    ]);
    const human = (await world.cli(['status'])).stdout;
    expect(human).toContain('Groups:      2 served by this robot');
    expect(human).toContain(`    Demo project [${alpha.id}] — running`);
    expect(human).toContain(`    Beta project [${beta.id}] — running`);
    expect(human).toContain('BetaRoom (group) — subscribed · Beta project');
    expect((await world.cli(['stop'])).code).toBe(0);

    // Every group of this CCCC: a third one, created while the bridge was stopped, is served too.
    const gamma = { id: await world.cccc.createGroup({ title: 'Gamma project', actors: ['boss'] }), title: 'Gamma project', chat: GAMMA_CHAT };
    expect((await world.cli(['set', '--all-groups'])).code).toBe(0);
    const all = JSON.parse(await readFile(join(world.configHome, 'config.json'), 'utf8')) as { bridges: Record<string, unknown>[] };
    expect(all.bridges[0]).toMatchObject({ groupId: alpha.id, allGroups: true });
    expect((await world.cli(['start', '--detach'])).code).toBe(0);
    await subscribe(world, GAMMA_CHAT, gamma.id, gamma.title);
    await speakAndHear(world, [alpha, beta, gamma], 'after --all-groups');
    expect((await statusJson(world, [alpha, beta, gamma])).groups?.map((g) => g.title).sort()).toEqual([alpha.title, beta.title, gamma.title].sort());
    expect((await world.cli(['stop'])).code).toBe(0);
  });
});
