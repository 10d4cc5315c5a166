/**
 * Chats authorized before the bridge ever ran (`cccc im bind`, CCCC's Web UI, CCCC's own bridge):
 * `status` and `doctor` say, in so many words, how many of them cannot be reached yet.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DINGTALK_SESSIONS_FILE } from '../../../electron/core/cccc/im-state/dingtalk-sessions';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Authorizes and subscribes a chat as `cccc im bind --key` does. */
async function bindElsewhere(world: World, chatId: string): Promise<void> {
  const key = await world.cccc.addPendingKey(chatId, { group: world.groupId });
  expect(await world.cccc.imFiles(world.groupId).bind(key)).toBeTruthy();
}

describe('chats that cannot be reached yet', () => {
  it('are counted by status and doctor; a group chat bound elsewhere is reachable', async () => {
    w = await startWorld();
    await w.configure();
    await bindElsewhere(w, 'cidBoundGroup==');
    await bindElsewhere(w, 'cidCcccSingle==');
    // CCCC's own bridge met that single chat, but DingTalk gave it no staff id for the person.
    const state = join(w.cccc.groupDir(w.groupId), 'state');
    await mkdir(state, { recursive: true });
    await writeFile(
      join(state, DINGTALK_SESSIONS_FILE),
      JSON.stringify({ conversations: { 'cidCcccSingle==': { chat_type: 'p2p', user_id: '$:LWCP_v1:$x' } } }),
    );

    const json = JSON.parse((await w.cli(['status', '--json'])).stdout) as { unreachableChats: number; chats: unknown[] };
    expect(json.chats).toHaveLength(2);
    expect(json.unreachableChats).toBe(1);
    expect((await w.cli(['status'])).stdout).toContain("1 chat can't be reached until someone writes in it");

    const doctor = await w.cli(['doctor', '--json']);
    const chats = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; message: string }[] }).checks.find((c) => c.id === 'chats');
    expect(chats).toMatchObject({ status: 'note', message: "Subscribed chats: 2; 1 chat can't be reached until someone writes in it" });
    expect(doctor.code).toBe(0);
    expect((await w.cli(['doctor'])).stdout).toContain("! Subscribed chats: 2; 1 chat can't be reached until someone writes in it");
  }, 60_000);
});
