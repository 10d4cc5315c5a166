// @vitest-environment happy-dom
/**
 * Editing a bridge after it was made (settings): only what changed is sent; a new group or app
 * shows what happens to the subscriptions before Save is possible, and Save says it restarts; a
 * bridge made with the CLI names its variables; a secret kept by the other host says so.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CcccView, EditImpactView } from '../../../electron/shared/api';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { BridgeSettings } from '../../../renderer/src/settings/BridgeSettings';
import { bridgeDetail, ok, renderWith, scriptedApi } from './harness';

afterEach(() => cleanup());

const detail = bridgeDetail({ status: { state: 'running', dingtalk: { status: 'connected' }, cccc: { status: 'up' }, outboxDepth: 0, inboxDepth: 0 } });

const cccc: CcccView = {
  status: 'running',
  home: '/h',
  groups: [
    { groupId: 'g_1', title: 'Demo project', running: true, bridge: { id: 'b1', name: 'Ops bridge' } },
    { groupId: 'g_2', title: 'Other project', running: true },
    { groupId: 'g_3', title: 'Taken project', running: true, bridge: { id: 'b9', name: 'Another bridge' } },
  ],
};

const impact: EditImpactView = {
  group: { from: 'g_1', to: 'g_2', fromTitle: 'Demo project', toTitle: 'Other project', subscribed: 3, stay: 1 },
  restarts: true,
};

function editSection(): HTMLElement {
  return screen.getByRole('region', { name: en.settings.edit.title });
}

describe('editing a bridge', () => {
  it('sends only the name when only the name changed', async () => {
    const api = scriptedApi({ getBridge: () => ok(detail), cccc: () => ok(cccc), saveBridge: () => ok({ ...detail, name: 'Build bot' }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const section = await screen.findByRole('region', { name: en.settings.edit.title });
    fireEvent.change(within(section).getByLabelText(en.settings.edit.name), { target: { value: 'Build bot' } });
    fireEvent.click(within(section).getByRole('button', { name: en.common.save }));
    await within(section).findByText(en.common.saved);
    expect(api.calls.filter((c) => c.method === 'saveBridge').map((c) => c.input)).toEqual([{ id: 'b1', name: 'Build bot' }]);
    expect(api.calls.some((c) => c.method === 'bridgeEditImpact')).toBe(false);
  });

  it('ticks another group for the same robot and sends the groups list alone', async () => {
    const api = scriptedApi({ getBridge: () => ok(detail), cccc: () => ok(cccc), saveBridge: () => ok({ ...detail, moreGroupIds: ['g_2'] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const section = await screen.findByRole('region', { name: en.settings.edit.title });
    const more = await within(section).findByTestId('more-groups');
    fireEvent.click(await within(more).findByLabelText('Other project — g_2'));
    fireEvent.click(within(section).getByRole('button', { name: en.common.save }));
    await within(section).findByText(en.common.saved);
    expect(api.calls.filter((c) => c.method === 'saveBridge').map((c) => c.input)).toEqual([{ id: 'b1', moreGroupIds: ['g_2'] }]);
  });

  it('another group: what happens to the subscriptions shows first, then “Save and restart” saves the group alone', async () => {
    let answer: (v: unknown) => void = () => {};
    const asked = new Promise((resolve) => (answer = resolve));
    const api = scriptedApi({
      getBridge: () => ok(detail),
      cccc: () => ok(cccc),
      bridgeEditImpact: async () => ((await asked) as never, ok(impact)),
      saveBridge: () => ok({ ...detail, groupId: 'g_2' }),
    });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    await screen.findByRole('option', { name: /Other project/ });
    const section = editSection();
    const taken = within(section).getByRole('option', { name: /Taken project/ }) as HTMLOptionElement;
    expect(taken.disabled).toBe(true);
    expect(taken.textContent).toContain('served by “Another bridge”');
    fireEvent.change(within(section).getByLabelText(en.settings.edit.group), { target: { value: 'g_2' } });
    await within(section).findByText(en.settings.edit.checking);
    // Nothing can be saved before the subscriptions are said.
    expect((within(section).getByRole('button', { name: en.common.save }) as HTMLButtonElement).disabled).toBe(true);
    answer(undefined);
    await within(section).findByText('Subscriptions belong to the CCCC group: the bridge will serve the chats subscribed in Other project (g_2).');
    within(section).getByText('1 chat subscribed in Demo project (g_1) is subscribed in Other project (g_2) too and keeps getting messages.');
    within(section).getByText(/^2 chats must send \/subscribe again \(and be approved\) to hear from Other project \(g_2\)\./);
    within(section).getByText(en.settings.edit.restarts);
    expect(api.calls.find((c) => c.method === 'bridgeEditImpact')?.input).toEqual({ bridgeId: 'b1', groupId: 'g_2' });
    fireEvent.click(within(section).getByRole('button', { name: en.settings.edit.saveRestart }));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(true));
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toEqual({ id: 'b1', groupId: 'g_2' });
  });

  it('a bridge made with the CLI names its variables; a typed Client ID replaces the variable and says what the new app means', async () => {
    const cli = {
      ...detail,
      appKeyEnv: 'DINGTALK_APP_KEY',
      robotCodeEnv: 'DINGTALK_ROBOT_CODE',
      robotCode: 'robot',
      secretSource: 'env' as const,
      secretEnv: 'DINGTALK_APP_SECRET',
    };
    const api = scriptedApi({
      getBridge: () => ok(cli),
      cccc: () => ok(cccc),
      bridgeEditImpact: () => ok({ app: { subscribed: 2 }, restarts: true }),
      saveBridge: () => ok({ ...cli, appKeyEnv: undefined, appKey: 'ding-new' }),
    });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    await screen.findByText('Read from environment variable DINGTALK_APP_KEY now. Type a Client ID to keep it here instead.');
    screen.getByText('Read from environment variable DINGTALK_ROBOT_CODE now. Type one to keep it here instead.');
    fireEvent.change(screen.getByLabelText(en.settings.edit.clientId), { target: { value: 'ding-new' } });
    await screen.findByText(/^Another DingTalk app: the 2 subscribed chats stay subscribed in CCCC/);
    fireEvent.click(screen.getByRole('button', { name: en.settings.edit.saveRestart }));
    await waitFor(() => expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(true));
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toEqual({ id: 'b1', appKey: 'ding-new' });
  });

  it('a secret kept by the desktop app says so, in both languages', async () => {
    const desk = { ...detail, secretSource: 'app' as const, secretSet: false };
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, scriptedApi({ getBridge: () => ok(desk), cccc: () => ok(cccc) }));
    await screen.findByText(en.settings.secretKeptBy.app);
    cleanup();
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, scriptedApi({ getBridge: () => ok(desk), cccc: () => ok(cccc) }), 'zh');
    await screen.findByText(zh.settings.secretKeptBy.app);
    await screen.findByRole('region', { name: zh.settings.edit.title });
  });
});
