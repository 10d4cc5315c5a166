/**
 * The card-permission probe's answer is kept a day per app (bridge/cards/card-permissions.ts):
 * two starts spend one probe, a damaged file or another app probes again, a full disk keeps it in
 * memory, and a card that goes through after a "missing" answer is noticed at once.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CARD_PERMISSIONS_FILE, CARD_PERMISSIONS_TTL_MS, CardPermissions } from '../../../../electron/core/bridge/cards/card-permissions';
import { LiveCards, type LiveCardsOptions, type StreamEvent } from '../../../../electron/core/bridge/cards/live-cards';
import { waitFor } from '../../../helpers/wait';
import type { CardReadiness } from '../../../../electron/core/dingtalk/card-api';
import { cardPermissionProblem } from '../../../../electron/core/dingtalk/card-api';
import { BridgeError } from '../../../../electron/core/errors';

const CHAT = { conversationId: 'cidG==', conversationType: 'group' as const };
const MISSING: CardReadiness = { state: 'missing', scopes: ['Card.Instance.Write'], problem: cardPermissionProblem(['Card.Instance.Write']) };

let dir: string;
let t: number;
let probes: number;
let answer: CardReadiness;
let creates: number;
/** What the next creates are refused with, one per call. */
let createErrors: Error[];
let problems: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'card-permissions-'));
  t = Date.now();
  probes = 0;
  creates = 0;
  createErrors = [];
  problems = [];
  answer = { state: 'ready' };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The permissions of one start, and the answer its live cards got (probed or remembered). */
function watched(permissions: CardPermissions): { port: LiveCardsOptions['permissions']; answered: () => Promise<unknown> | undefined } {
  let answered: Promise<unknown> | undefined;
  return {
    port: {
      readiness: (probe) => (answered = permissions.readiness(probe)),
      refused: (scopes) => permissions.refused(scopes),
      cardWentThrough: () => permissions.cardWentThrough(),
    },
    answered: () => answered,
  };
}

/** One bridge start: its live cards probe (or not), and are closed again once they have their answer. */
async function startOnce(
  appKey = 'app-1',
  stateDir = dir,
  keep = false,
  permissions = new CardPermissions(stateDir, appKey, { now: () => t }),
): Promise<LiveCards> {
  const watch = watched(permissions);
  const cards = await LiveCards.open({
    stateDir,
    cards: {
      createAndDeliver: async () => {
        creates++;
        const err = createErrors.shift();
        if (err) throw err;
      },
      streaming: async () => undefined,
      probeCardPermissions: async () => {
        probes++;
        return answer;
      },
    },
    enqueue: async () => undefined,
    queuedFor: () => 0,
    settled: async () => undefined,
    settings: () => ({ enabled: true, templateId: 'tpl', lang: 'en' }),
    permissions: watch.port,
    onProblem: (p) => void problems.push(p.code),
    now: () => t,
  });
  await waitFor(() => watch.answered(), 'the permissions asked for');
  await watch.answered();
  if (!keep) await cards.close();
  return cards;
}

const start = (streamId: string): StreamEvent => ({
  kind: 'stream',
  id: `e-${streamId}`,
  by: 'boss',
  at: t,
  streamId,
  op: 'start',
  text: 'hi',
  delta: false,
  to: ['user'],
  userFacing: true,
});

describe('the card-permission probe', () => {
  it('runs once for two starts within a day, again after a day, and per app', async () => {
    await startOnce();
    await startOnce();
    expect(probes).toBe(1);
    expect(await readFile(join(dir, CARD_PERMISSIONS_FILE), 'utf8')).not.toContain('app-1');
    t += CARD_PERMISSIONS_TTL_MS;
    await startOnce();
    expect(probes).toBe(2);
    await startOnce('app-2');
    expect(probes).toBe(3);
    await startOnce('app-1');
    expect(probes).toBe(3);
  });

  it('remembers "missing" (said once per run, no cards tried) and notices a permission added since', async () => {
    answer = MISSING;
    await startOnce();
    const cards = await startOnce('app-1', dir, true);
    expect(probes).toBe(1);
    expect(problems).toEqual(['dingtalk.card_permission_missing', 'dingtalk.card_permission_missing']);
    await cards.start(start('s1'), [{ chat: CHAT, label: 'Boss' }]);
    expect(creates).toBe(0);
    // Half an hour later a card is tried again, and goes through: the permission was added.
    t += 31 * 60_000;
    await cards.start(start('s2'), [{ chat: CHAT, label: 'Boss' }]);
    await waitFor(() => creates === 1 || undefined, 'the card created');
    await cards.close();
    problems = [];
    await startOnce();
    expect(probes).toBe(1);
    expect(problems).toEqual([]);
  });

  it('keeps "missing" when a card tried again is refused for the permission: the next start spends no probe', async () => {
    answer = MISSING;
    const cards = await startOnce('app-1', dir, true);
    t += 31 * 60_000;
    createErrors.push(new BridgeError({ ...cardPermissionProblem(['Card.Instance.Write']), code: 'dingtalk.no_permission' }));
    await cards.start(start('s1'), [{ chat: CHAT, label: 'Boss' }]);
    await waitFor(() => creates === 1 || undefined, 'the card tried');
    await cards.close();
    const doc = JSON.parse(await readFile(join(dir, CARD_PERMISSIONS_FILE), 'utf8')) as { apps: Record<string, unknown> };
    expect(Object.values(doc.apps)).toEqual([{ state: 'missing', scopes: ['Card.Instance.Write'], at: t }]);
    problems = [];
    await startOnce();
    expect(probes).toBe(1);
    expect(problems).toEqual(['dingtalk.card_permission_missing']);
  });

  it('is one probe for the groups of an app starting together, and remembered for them all', async () => {
    const shared = new CardPermissions(dir, 'app-1', { now: () => t });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const probe = async (): Promise<CardReadiness> => {
      probes++;
      await gate;
      return { state: 'ready' };
    };
    const asks = [shared.readiness(probe), shared.readiness(probe)];
    await waitFor(() => probes === 1 || undefined, 'the probe under way');
    asks.push(shared.readiness(probe));
    release();
    expect(await Promise.all(asks)).toEqual([{ state: 'ready' }, { state: 'ready' }, { state: 'ready' }]);
    await startOnce('app-1', dir, false, shared);
    expect(probes).toBe(1);
  });

  it('probes again when the file is damaged, and works from memory when it cannot be written', async () => {
    await writeFile(join(dir, CARD_PERMISSIONS_FILE), '{"apps": [nonsense');
    await startOnce();
    expect(probes).toBe(1);
    await startOnce();
    expect(probes).toBe(1);

    // A file where the state folder should be: nothing can be read or written there.
    await writeFile(join(dir, 'a-file'), '');
    const memory = new CardPermissions(join(dir, 'a-file', 'state'), 'app-1', { now: () => t });
    await memory.remember({ state: 'ready' });
    expect(await memory.known()).toEqual({ state: 'ready' });
  });
});
