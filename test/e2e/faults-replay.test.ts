/**
 * A person's message that reached CCCC just before a crash (its `done` line never written) is
 * replayed at the next start. CCCC recognizes a repeated client id only within its last 800 ledger
 * lines; after 900 more events it would append the message again, so the bridge must look first.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SENDS_TO_CCCC_JOURNAL } from '../../electron/core/bridge/inbound/group-delivery';
import { waitFor } from '../helpers/wait';
import { startE2E, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

describe('replay after a crash', () => {
  it('with 900 events between journal and replay, CCCC holds exactly one copy', { timeout: 60_000 }, async () => {
    e = await startE2E();
    await e.subscribe();
    e.say('deliver me once');
    await waitFor(async () => (await e!.fromPeople()).some((ev) => ev.data['text'] === 'deliver me once'), 'the message in CCCC');
    await e.bridge.idle();
    await e.bridge.stop();
    // As if the process died after CCCC accepted the message, before the journal said so.
    const inbox = join(e.stateDir, SENDS_TO_CCCC_JOURNAL);
    const lines = (await readFile(inbox, 'utf8')).split('\n').filter((l) => l.includes('"op":"add"'));
    expect(lines).toHaveLength(1);
    await writeFile(inbox, `${lines.join('\n')}\n`);
    for (let i = 0; i < 900; i++) await e.cccc.speak('boss', `internal ${i}`, { to: ['helper'] });

    await e.restartBridge();
    await waitFor(() => e!.bridge.status().toCcccDepth === 0, 'the replay handled', 10_000);
    await e.bridge.idle();
    const copies = (await e.fromPeople()).filter((ev) => ev.data['text'] === 'deliver me once');
    expect(copies).toHaveLength(1);
  });
});
