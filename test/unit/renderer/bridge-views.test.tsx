// @vitest-environment happy-dom
/**
 * The dashboard, a bridge's settings, the wizard's group and secret steps and the logs, with a
 * scripted API: saving keeps what was not edited, the sandbox can be stopped, taken groups are
 * marked, an env-var secret is named as one, the page on `serve` opens and downloads in the
 * browser, and chats are shown by name and kind with the id on hover.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppSettingsView, CcccView, LogView, PendingView } from '../../../electron/shared/api';
import { DINGTALK_CONSOLE_URL, SANDBOX_BUTTON_TEMPLATE } from '../../../electron/shared/app-info';
import { Dashboard } from '../../../renderer/src/dashboard/Dashboard';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { Logs } from '../../../renderer/src/logs/Logs';
import { BridgeSettings } from '../../../renderer/src/settings/BridgeSettings';
import { PendingList } from '../../../renderer/src/ui/Pending';
import { StepCreate } from '../../../renderer/src/wizard/InfoSteps';
import { Wizard } from '../../../renderer/src/wizard/Wizard';
import { bridgeDetail, ok, renderWith, scriptedApi } from './harness';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const GROUP_CHAT = 'cidGroupChat001==';
const SINGLE_CHAT = 'cidSingleChat01==';
const settings: AppSettingsView = { theme: 'system', launchAtLogin: false, envSecretMode: false };

const bridge = bridgeDetail;

const envBridge = bridge({ secretSource: 'env', secretEnv: 'MY_DT_SECRET', secretSet: true });

describe("a bridge's settings", () => {
  it('saving the settings of an env-var bridge sends the settings alone (the variable stays), and names it as one (not “$VAR”)', async () => {
    const api = scriptedApi({ getBridge: () => ok(envBridge), saveBridge: () => ok(envBridge), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    await screen.findByText('Read from environment variable MY_DT_SECRET when the bridge starts.');
    expect(screen.queryByText(/\$MY_DT_SECRET/)).toBeNull();
    // The first Save is for name, group and app: nothing changed there yet.
    const [identity, behaviour] = screen.getAllByRole('button', { name: en.common.save });
    expect((identity as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(behaviour!);
    await waitFor(() => expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(true));
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toEqual({ id: 'b1', settings: { ...envBridge.settings } });
  });

  it('names a button-card template and the approvers, chosen among the people who wrote', async () => {
    const people = [
      { staffId: 'staff-zhang', nick: '张三', isAdmin: true, lastSeen: Date.now() },
      { staffId: 'staff-bob', nick: 'Bob', isAdmin: false, lastSeen: Date.now() - 60_000 },
    ];
    const b = bridge({ people });
    const api = scriptedApi({ getBridge: () => ok(b), saveBridge: () => ok(b), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const cards = within(await screen.findByRole('group', { name: en.settings.buttonCards.title }));
    fireEvent.change(cards.getByLabelText(new RegExp(en.settings.buttonCards.template)), { target: { value: ' tpl-1.schema ' } });
    fireEvent.click(cards.getByLabelText(/张三/));
    // The second Save is the behaviour settings' (the first the bridge's identity).
    fireEvent.click(screen.getAllByRole('button', { name: en.common.save })[1]!);
    await waitFor(() => expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(true));
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toMatchObject({
      settings: { buttonCards: true, buttonCardTemplateId: 'tpl-1.schema', approvers: ['staff-zhang'] },
    });
  });

  it('buttons on cards: a template id that is none is flagged and not saved; a test card goes to the chosen chat, DingTalk’s refusal in words', async () => {
    const chat = { subscribed: true, verbose: false, paused: false, heldCount: 0 };
    const b = bridge({
      chats: [
        { ...chat, chatId: GROUP_CHAT, type: 'group', title: 'Dev team' },
        { ...chat, chatId: 'cidOld==', type: 'group', title: 'Old', subscribed: false },
      ],
    });
    let answer: 'ok' | 'unknown' = 'unknown';
    const api = scriptedApi({
      getBridge: () => ok(b),
      saveBridge: () => ok(b),
      cccc: () => ok({ status: 'running', home: '/h', groups: [] }),
      sendTestCard: (input) =>
        answer === 'ok'
          ? ok({ sent: true, chatId: (input as { chatId: string }).chatId })
          : {
              ok: false,
              problem: { code: 'dingtalk.card_template_not_found', message: 'DingTalk does not know this card template (不存在的卡片模板)', retryable: false },
            },
    });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const cards = within(await screen.findByRole('group', { name: en.settings.buttonCards.title }));
    const template = cards.getByLabelText(new RegExp(en.settings.buttonCards.template));
    const save = () => screen.getAllByRole('button', { name: en.common.save })[1] as HTMLButtonElement;
    const test = cards.getByRole('button', { name: en.settings.buttonCards.test }) as HTMLButtonElement;
    fireEvent.change(template, { target: { value: 'my template' } });
    cards.getByText(en.settings.buttonCards.templateInvalid);
    expect(save().disabled).toBe(true);
    expect(test.disabled).toBe(true);
    // Only subscribed chats are offered.
    expect(cards.getAllByRole('option').map((o) => o.textContent)).toEqual(['Dev team']);

    fireEvent.change(template, { target: { value: 'nope-1.schema' } });
    expect(save().disabled).toBe(false);
    fireEvent.click(test);
    await cards.findByText(en.problems['dingtalk.card_template_not_found'].hint, { exact: false });
    expect(api.calls.find((c) => c.method === 'sendTestCard')?.input).toEqual({ bridgeId: 'b1', chatId: GROUP_CHAT, templateId: 'nope-1.schema' });

    answer = 'ok';
    fireEvent.change(template, { target: { value: 'mine-1.schema' } });
    fireEvent.click(test);
    await cards.findByText(en.settings.buttonCards.testSent.replace('{{chat}}', 'Dev team'));
    // Another template has not been tried: the success goes.
    fireEvent.change(template, { target: { value: 'mine-2.schema' } });
    expect(cards.queryByText(en.settings.buttonCards.testSent.replace('{{chat}}', 'Dev team'))).toBeNull();
  });

  it('template ids an older version stored (any text) save as they are; changed, they are checked', async () => {
    const b = bridge({ settings: { ...bridge().settings, cards: false, cardTemplateId: 'my old template', buttonCardTemplateId: 'buttons v1' } });
    const api = scriptedApi({ getBridge: () => ok(b), saveBridge: () => ok(b), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    await screen.findByRole('group', { name: en.settings.buttonCards.title });
    const save = () => screen.getAllByRole('button', { name: en.common.save })[1] as HTMLButtonElement;
    // Live cards off: their template's field is hidden, and must not hold the Save back.
    expect(screen.queryByLabelText(new RegExp(en.settings.cardTemplateId.slice(0, 10)))).toBeNull();
    expect(screen.queryByText(en.settings.buttonCards.templateInvalid)).toBeNull();
    expect(save().disabled).toBe(false);

    fireEvent.click(screen.getByLabelText(new RegExp(en.settings.cards)));
    const live = screen.getByLabelText(new RegExp(en.settings.cardTemplateId.slice(0, 10)));
    expect(screen.queryByText(en.settings.buttonCards.templateInvalid)).toBeNull();
    fireEvent.change(live, { target: { value: 'my new template' } });
    screen.getByText(en.settings.buttonCards.templateInvalid);
    expect(save().disabled).toBe(true);
    fireEvent.change(live, { target: { value: 'my old template' } });
    expect(save().disabled).toBe(false);
    fireEvent.click(save());
    await waitFor(() => expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(true));
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toMatchObject({
      settings: { cards: true, cardTemplateId: 'my old template', buttonCardTemplateId: 'buttons v1' },
    });
  });

  it('a bridge of the sandbox names the template the sandbox has', async () => {
    const api = scriptedApi({ getBridge: () => ok(bridge({ sandbox: true })), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const cards = within(await screen.findByRole('group', { name: en.settings.buttonCards.title }));
    cards.getByText(en.settings.buttonCards.sandboxTemplate);
    cards.getByText(SANDBOX_BUTTON_TEMPLATE);
  });

  it('in 中文 too', async () => {
    await renderWith(
      <BridgeSettings bridgeId="b1" onChanged={() => {}} />,
      scriptedApi({ getBridge: () => ok(envBridge), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) }),
      'zh',
    );
    await screen.findByText(zh.settings.secretFromEnv.replace('{{env}}', 'MY_DT_SECRET'));
  });
});

describe('the dashboard', () => {
  it('says whether buttons on cards are set up, and offers to set them up', async () => {
    const setUp = vi.fn();
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={setUp} />,
      scriptedApi({ getBridge: () => ok(bridge()), audit: () => ok([]) }),
    );
    const row = within(await screen.findByTestId('button-cards'));
    row.getByText(en.dashboard.buttonCardsNotSet);
    fireEvent.click(row.getByRole('button', { name: en.dashboard.buttonCardsSetUp }));
    expect(setUp).toHaveBeenCalledOnce();
    cleanup();
    const on = bridge({ settings: { ...bridge().settings, buttonCardTemplateId: 'mine-1.schema' } });
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={setUp} />,
      scriptedApi({ getBridge: () => ok(on), audit: () => ok([]) }),
    );
    expect((await screen.findByTestId('button-cards')).textContent).toBe(en.dashboard.buttonCardsOn.replace('{{template}}', 'mine-1.schema'));
  });

  it('a bridge in Error can be started again', async () => {
    const failed = bridge({
      status: { ...bridge().status, state: 'error', lastProblem: { code: 'config.secret_missing', message: 'No AppSecret', retryable: false } },
    });
    const api = scriptedApi({ getBridge: () => ok(failed), audit: () => ok([]), startBridge: () => ok(failed.status) });
    await renderWith(<Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />, api);
    const start = await screen.findByRole('button', { name: en.dashboard.start });
    expect((start as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(start);
    await waitFor(() => expect(api.calls.some((c) => c.method === 'startBridge')).toBe(true));
  });

  it('names chats by name and kind, a single chat by the person; the id on hover', async () => {
    const chat = { subscribed: true, verbose: false, paused: false, heldCount: 0 };
    const detail = bridge({
      chats: [
        { chatId: GROUP_CHAT, title: 'Dev team', type: 'group', ...chat },
        { chatId: SINGLE_CHAT, type: 'single', withNick: 'Alice', ...chat },
      ],
    });
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(detail), audit: () => ok([]) }),
    );
    const single = await screen.findByText('Single chat with Alice');
    expect(single.getAttribute('title')).toBe(SINGLE_CHAT);
    expect(screen.getByText('Dev team').getAttribute('title')).toBe(GROUP_CHAT);
    expect(screen.queryByText(SINGLE_CHAT)).toBeNull();
  });

  it('an app serving several groups shows each with its state and chats; one group shows none of it', async () => {
    const detail = bridge({
      groups: [
        { groupId: 'g_alpha', title: 'Alpha project', state: 'running', chats: 2 },
        { groupId: 'g_beta', title: 'Beta project', state: 'error', chats: 1 },
      ],
    });
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(detail), audit: () => ok([]) }),
    );
    const list = await screen.findByTestId('served-groups');
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => r.textContent)).toEqual([
      `${en.state.run.running} Alpha project g_alpha 2 chats`,
      `${en.state.run.error} Beta project g_beta 1 chat`,
    ]);
    cleanup();
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(bridge()), audit: () => ok([]) }),
    );
    await screen.findByText('Ops bridge');
    expect(screen.queryByTestId('served-groups')).toBeNull();
  });

  it('a sandbox bridge says so and offers Stop sandbox; a real one does not', async () => {
    const sandboxed = bridge({ sandbox: true });
    const api = scriptedApi({ getBridge: () => ok(sandboxed), audit: () => ok([]), stopSandbox: () => ok({ stopped: true }) });
    await renderWith(<Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />, api);
    await screen.findByText(en.wizard.sandbox.bridge);
    fireEvent.click(screen.getByRole('button', { name: en.wizard.sandbox.stop }));
    await screen.findByText(en.wizard.sandbox.stopped);
    cleanup();
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(bridge()), audit: () => ok([]) }),
    );
    await screen.findByText('Ops bridge');
    expect(screen.queryByRole('button', { name: en.wizard.sandbox.stop })).toBeNull();
  });
});

describe('the month’s DingTalk API calls', () => {
  const usage = {
    month: '2025-06',
    calls: 4_321,
    byApi: [
      { api: 'groupMessages.send', calls: 4_000 },
      { api: 'oauth2.accessToken', calls: 321 },
    ],
    forecast: 8_642,
    daysElapsed: 15,
    daysInMonth: 30,
    budget: 5_000,
    allowance: 'lean' as const,
  };

  it('the dashboard shows the count, the forecast and how it is made, the budget used and what it does to cards', async () => {
    const detail = bridge({ apiUsage: usage });
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(detail), audit: () => ok([]) }),
    );
    const card = within((await screen.findByRole('heading', { name: en.apiUsage.title })).closest('section')!);
    expect(card.getByText('Calls in 2025-06')).toBeTruthy();
    expect(card.getByTestId('api-calls').textContent).toBe('4,321');
    expect(card.getByTestId('api-forecast').textContent).toBe('≈ 8,642');
    expect(card.getByTestId('api-budget').textContent).toBe('5,000 86 % used');
    expect(card.getByRole('meter', { name: en.apiUsage.meter }).getAttribute('value')).toBe(String(4_321 / 5_000));
    expect(card.getByRole('status').textContent).toBe(en.apiUsage.allowance.lean);
    expect(card.getByText(/linear from the 15 of 30 days gone/)).toBeTruthy();
    expect(card.getByText('groupMessages.send').parentElement?.textContent).toBe('groupMessages.send 4,000');
  });

  it('in 中文, and without a budget: no meter, no step', async () => {
    const detail = bridge({ apiUsage: { ...usage, allowance: 'full', budget: undefined } });
    await renderWith(
      <Dashboard bridgeId="b1" onOpenLogs={() => {}} onSetUpButtonCards={() => {}} />,
      scriptedApi({ getBridge: () => ok(detail), audit: () => ok([]) }),
      'zh',
    );
    const card = within((await screen.findByRole('heading', { name: zh.apiUsage.title })).closest('section')!);
    expect(card.getByText('2025-06 调用次数')).toBeTruthy();
    expect(card.getByTestId('api-budget').textContent).toBe(zh.apiUsage.noBudget);
    expect(card.queryByRole('meter')).toBeNull();
    expect(card.queryByRole('status')).toBeNull();
    expect(card.getByText(/按本月已过的 15\/30 天线性推算/)).toBeTruthy();
  });

  it('the budget is set in a bridge’s settings: a whole number of calls, or empty for none', async () => {
    const api = scriptedApi({ getBridge: () => ok(bridge()), saveBridge: () => ok(bridge()), cccc: () => ok({ status: 'running', home: '/h', groups: [] }) });
    await renderWith(<BridgeSettings bridgeId="b1" onChanged={() => {}} />, api);
    const field = await screen.findByLabelText(en.settings.monthlyApiBudget);
    expect((field as HTMLInputElement).value).toBe('');
    // The second Save is the behaviour settings' (the first the bridge's identity).
    const behaviourSave = (): HTMLButtonElement => screen.getAllByRole('button', { name: en.common.save })[1] as HTMLButtonElement;
    fireEvent.change(field, { target: { value: '0' } });
    expect(behaviourSave().disabled).toBe(true);
    fireEvent.change(field, { target: { value: '5000' } });
    fireEvent.click(behaviourSave());
    await waitFor(() => expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toMatchObject({ settings: { monthlyApiBudget: 5000 } }));
    fireEvent.change(field, { target: { value: '' } });
    fireEvent.click(behaviourSave());
    await waitFor(() => expect(api.calls.filter((c) => c.method === 'saveBridge').at(-1)?.input).toMatchObject({ settings: { monthlyApiBudget: null } }));
  });
});

describe('a subscription request', () => {
  it('shows its key, to match with the one the chat was told', async () => {
    const request: PendingView = { key: 'k-7Q2X', chatId: SINGLE_CHAT, chatType: 'single', senderNick: 'Alice', createdAt: 0, expiresAt: Date.now() + 600_000 };
    await renderWith(<PendingList bridgeId="b1" pending={[request]} onApproved={() => {}} onRejected={() => {}} />, scriptedApi({}));
    expect(screen.getByText('k-7Q2X')).toBeTruthy();
    expect(screen.getByText('Single chat with Alice').getAttribute('title')).toBe(SINGLE_CHAT);
  });
});

describe('the wizard', () => {
  const twoGroups: CcccView = {
    status: 'running',
    home: '/home/u/.cccc',
    version: '0.4.9',
    groups: [
      { groupId: 'g_1', title: 'Demo project', running: true, bridge: { id: 'b1', name: 'Ops bridge' } },
      { groupId: 'g_2', title: 'Other project', running: true },
    ],
  };

  it('marks a group another bridge serves, says which, and does not save it', async () => {
    const api = scriptedApi({ cccc: () => ok(twoGroups) });
    await renderWith(<Wizard prefill={{ step: 4, groupId: 'g_1' }} appSettings={settings} onDone={() => {}} />, api);
    const select = (await screen.findByLabelText('Working group')) as HTMLSelectElement;
    const taken = within(select).getByRole('option', { name: /Demo project/ }) as HTMLOptionElement;
    expect(taken.disabled).toBe(true);
    expect(taken.textContent).toContain('served by “Ops bridge”');
    expect((within(select).getByRole('option', { name: /Other project/ }) as HTMLOptionElement).disabled).toBe(false);
    await screen.findByText(/The bridge “Ops bridge” already serves this group/);
    fireEvent.click(screen.getByRole('button', { name: en.wizard.credentials.saveAndContinue }));
    expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(false);
  });

  it('says “stored encrypted” only where the vault encrypts', async () => {
    await renderWith(
      <Wizard prefill={{ step: 4 }} appSettings={settings} vault={{ backend: 'basic_text', encrypted: false }} onDone={() => {}} />,
      scriptedApi({ cccc: () => ok(twoGroups) }),
    );
    await screen.findByText(en.wizard.credentials.appSecretHintPlain);
    expect(screen.queryByText(/Stored encrypted/)).toBeNull();
    cleanup();
    await renderWith(
      <Wizard prefill={{ step: 4 }} appSettings={settings} vault={{ backend: 'os', encrypted: true }} onDone={() => {}} />,
      scriptedApi({ cccc: () => ok(twoGroups) }),
    );
    await screen.findByText(en.wizard.credentials.appSecretHint);
  });

  it('Stop sandbox ends the sandbox and starts the wizard over', async () => {
    const sandbox = {
      chatUrl: 'http://127.0.0.1:1/',
      apiBase: 'http://127.0.0.1:2',
      oapiBase: 'http://127.0.0.1:2/oapi',
      appKey: 'dingsb',
      appSecret: 'sb',
      robotCode: 'dingsb',
    };
    const api = scriptedApi({ startSandbox: () => ok(sandbox), stopSandbox: () => ok({ stopped: true }), cccc: () => ok(twoGroups) });
    await renderWith(<Wizard appSettings={settings} onDone={() => {}} />, api);
    fireEvent.click(screen.getByRole('button', { name: en.wizard.sandbox.try }));
    await screen.findByText(en.wizard.sandbox.running);
    fireEvent.click(screen.getByRole('button', { name: en.wizard.sandbox.stop }));
    await screen.findByRole('button', { name: en.wizard.sandbox.try });
    expect(api.calls.map((c) => c.method)).toContain('stopSandbox');
    expect(screen.getByRole('heading', { name: en.wizard.steps.create, level: 2 })).toBeTruthy();
  });
});

describe('the page on `serve`', () => {
  it('opens the DingTalk console in the browser itself, not on the server', async () => {
    const api = scriptedApi({}, 'http');
    await renderWith(<StepCreate />, api);
    const link = screen.getByRole('link', { name: new RegExp(en.wizard.create.openConsole) });
    expect(link.getAttribute('href')).toBe(DINGTALK_CONSOLE_URL);
    expect(link.getAttribute('target')).toBe('_blank');
    // A link the browser follows itself: nothing asks the server to open it.
    expect(screen.queryByRole('button', { name: new RegExp(en.wizard.create.openConsole) })).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('downloads the log export instead of writing it on the server', async () => {
    const records: LogView[] = [{ ts: 1, level: 'info', scope: 'b1.inbound', msg: 'Delivered to CCCC', bridgeId: 'b1', chatId: GROUP_CHAT }];
    const api = scriptedApi(
      {
        logs: () => ok(records),
        listChats: () => ok([]),
        exportLogs: () => ok({ name: 'cccc-dingtalk-log.jsonl', records: 1, jsonl: '{"msg":"Delivered to CCCC"}\n' }),
      },
      'http',
    );
    const created = vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:export');
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    await renderWith(<Logs bridges={[]} />, api);
    fireEvent.click(await screen.findByRole('button', { name: en.logs.export }));
    await screen.findByText('Downloaded 1 records as cccc-dingtalk-log.jsonl');
    expect(api.calls.find((c) => c.method === 'exportLogs')?.input).toEqual({ download: true });
    expect(created).toHaveBeenCalledOnce();
    expect(clicked[0]?.download).toBe('cccc-dingtalk-log.jsonl');
  });
});

describe('the logs', () => {
  it('offer the chats by name in the filter and the rows, the id on hover', async () => {
    const records: LogView[] = [
      { ts: 1, level: 'info', scope: 'b1.inbound', msg: 'Delivered to CCCC', bridgeId: 'b1', chatId: GROUP_CHAT },
      { ts: 2, level: 'info', scope: 'b1.inbound', msg: 'Subscribe request', bridgeId: 'b1', chatId: SINGLE_CHAT },
    ];
    const chats = [
      { bridgeId: 'b1', chatId: GROUP_CHAT, title: 'Dev team', type: 'group' as const, subscribed: true, verbose: false, paused: false, heldCount: 0 },
      { bridgeId: 'b1', chatId: SINGLE_CHAT, type: 'single' as const, withNick: 'Alice', subscribed: false, verbose: false, paused: false, heldCount: 0 },
    ];
    await renderWith(<Logs bridges={[]} />, scriptedApi({ logs: () => ok(records), listChats: () => ok(chats) }));
    const filter = screen.getByLabelText(en.logs.chat) as HTMLSelectElement;
    await waitFor(() => expect(within(filter).getByRole('option', { name: 'Single chat with Alice' }).getAttribute('value')).toBe(SINGLE_CHAT));
    expect(within(filter).getByRole('option', { name: 'Dev team' }).getAttribute('title')).toBe(GROUP_CHAT);
    expect(within(filter).queryByRole('option', { name: GROUP_CHAT })).toBeNull();
    expect(screen.getByText('[Dev team]').getAttribute('title')).toBe(GROUP_CHAT);
  });
});
