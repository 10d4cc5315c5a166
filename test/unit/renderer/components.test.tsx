// @vitest-environment happy-dom
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppSettingsView, CcccView, CredentialTestView } from '../../../electron/shared/api';
import { Settings } from '../../../renderer/src/settings/Settings';
import { PendingList } from '../../../renderer/src/ui/Pending';
import { ProblemBox } from '../../../renderer/src/ui/Problem';
import { Wizard } from '../../../renderer/src/wizard/Wizard';
import { ok, renderWith, scriptedApi } from './harness';

afterEach(cleanup);

const settings: AppSettingsView = { theme: 'system', launchAtLogin: false, envSecretMode: false };
const running = (im?: NonNullable<CcccView['groups'][number]['im']>): CcccView => ({
  status: 'running',
  home: '/home/u/.cccc',
  version: '0.4.9',
  groups: [{ groupId: 'g_1', title: 'Demo project', running: true, ...(im ? { im } : {}) }],
});

describe('ProblemBox', () => {
  const problem = { code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: 'Check DINGTALK_APP_SECRET', retryable: false };

  it('in English keeps the service’s specific words and adds the guide’s troubleshooting', async () => {
    await renderWith(<ProblemBox problem={problem} guide />, scriptedApi({}));
    expect(screen.getByText('Invalid AppKey/AppSecret')).toBeTruthy();
    expect(screen.getByText('Check DINGTALK_APP_SECRET')).toBeTruthy();
    expect(screen.getByText('“Invalid appkey” error')).toBeTruthy();
    expect(screen.getByText(/Ensure the application is published/)).toBeTruthy();
  });

  it('in 中文 translates by code and still shows what the service said', async () => {
    await renderWith(<ProblemBox problem={problem} guide />, scriptedApi({}), 'zh');
    expect(screen.getByText('appkey 或 appsecret 无效（Invalid appkey）。')).toBeTruthy();
    expect(screen.getByText('Invalid AppKey/AppSecret')).toBeTruthy();
    expect(screen.getByText('“Invalid appkey”错误')).toBeTruthy();
  });

  it('lists the permissions a probe found missing', async () => {
    await renderWith(
      <ProblemBox
        problem={{ code: 'dingtalk.no_permission', message: 'No permission', retryable: false, details: { requiredScopes: ['qyapi_chat_read'] } }}
        guide
      />,
      scriptedApi({}),
    );
    expect(screen.getByText('qyapi_chat_read')).toBeTruthy();
    expect(screen.getByText('“No permission” error')).toBeTruthy();
  });
});

describe('wizard, credentials step', () => {
  it('takes prefilled values (the sandbox seam) and opens at the step asked for', async () => {
    const api = scriptedApi({ cccc: () => ok(running()) });
    await renderWith(
      <Wizard prefill={{ step: 4, appKey: 'dingsandbox', robotCode: 'dingsandbox', name: 'Sandbox' }} appSettings={settings} onDone={() => {}} />,
      api,
    );
    expect(screen.getByRole('heading', { name: 'Credentials', level: 2 })).toBeTruthy();
    expect((screen.getByLabelText('Client ID (formerly AppKey)') as HTMLInputElement).value).toBe('dingsandbox');
    expect((screen.getByLabelText('Bridge name') as HTMLInputElement).value).toBe('Sandbox');
    await waitFor(() => expect((screen.getByLabelText('Working group') as HTMLSelectElement).value).toBe('g_1'));
  });

  it('explains CCCC not running and not installed, with what to do', async () => {
    const notRunning = scriptedApi({ cccc: () => ok({ status: 'not_running', home: '/home/u/.cccc', groups: [] } satisfies CcccView) });
    await renderWith(<Wizard prefill={{ step: 4 }} appSettings={settings} onDone={() => {}} />, notRunning);
    await screen.findByText('CCCC is installed but not running');
    expect(screen.getByText('cccc')).toBeTruthy();
    expect(screen.getByText(/\/home\/u\/\.cccc/)).toBeTruthy();
    cleanup();
    const missing = scriptedApi({ cccc: () => ok({ status: 'not_installed', home: '/home/u/.cccc', groups: [] } satisfies CcccView) });
    await renderWith(<Wizard prefill={{ step: 4 }} appSettings={settings} onDone={() => {}} />, missing);
    await screen.findByText('CCCC is not installed');
    expect(screen.getByText('pip install -U cccc-pair')).toBeTruthy();
  });

  it('trims pasted credentials and hints at a Client ID that does not look like one', async () => {
    await renderWith(<Wizard prefill={{ step: 4 }} appSettings={settings} onDone={() => {}} />, scriptedApi({ cccc: () => ok(running()) }));
    const key = screen.getByLabelText('Client ID (formerly AppKey)') as HTMLInputElement;
    fireEvent.paste(key, { clipboardData: { getData: () => '  "dingabc123"\n' } });
    expect(key.value).toBe('dingabc123');
    expect(screen.getByText('Pasted and trimmed.')).toBeTruthy();
    fireEvent.change(key, { target: { value: 'abc123' } });
    expect(screen.getByText(/Client IDs usually start with “ding”/)).toBeTruthy();
    fireEvent.change(key, { target: { value: 'ding abc' } });
    expect(screen.getByText(/Contains spaces/)).toBeTruthy();
  });

  it('imports from group.yaml: the key and RobotCode, and the secret’s environment variable', async () => {
    const api = scriptedApi({
      cccc: () => ok(running({ appKey: 'dingfromyaml', appSecretEnv: 'DINGTALK_APP_SECRET', robotCode: 'dingrobot', enabled: false })),
    });
    await renderWith(<Wizard prefill={{ step: 4 }} appSettings={settings} onDone={() => {}} />, api);
    fireEvent.click(await screen.findByRole('button', { name: 'Import from group.yaml' }));
    expect((screen.getByLabelText('Client ID (formerly AppKey)') as HTMLInputElement).value).toBe('dingfromyaml');
    expect((screen.getByLabelText(/RobotCode/) as HTMLInputElement).value).toBe('dingrobot');
    expect(screen.getByText(/read from the environment variable/)).toBeTruthy();
    expect(screen.getByText('DINGTALK_APP_SECRET')).toBeTruthy();
  });

  it('tests the typed credentials and shows the guide’s help for the failing check', async () => {
    const result: CredentialTestView = {
      token: { state: 'ok' },
      stream: { state: 'failed', problem: { code: 'dingtalk.stream_rejected', message: 'Stream connection refused', retryable: false } },
    };
    const api = scriptedApi({ cccc: () => ok(running()), testCredentials: () => ok(result) });
    await renderWith(<Wizard prefill={{ step: 4, appKey: 'dingk' }} appSettings={settings} onDone={() => {}} />, api);
    fireEvent.change(screen.getByLabelText('Client Secret (formerly AppSecret)'), { target: { value: 'sec' } });
    fireEvent.click(screen.getByRole('button', { name: 'Test credentials' }));
    await screen.findByText('Robot not responding');
    expect(api.calls.find((c) => c.method === 'testCredentials')?.input).toEqual({ appKey: 'dingk', appSecret: 'sec' });
    expect(screen.getAllByText(/Stream 模式/).length).toBeGreaterThan(0);
  });
});

describe('wizard, environment-variable secrets (no keyring)', () => {
  it('asks for the variable’s name instead of the secret, checks it, and saves only the name', async () => {
    const api = scriptedApi({
      cccc: () => ok(running()),
      saveBridge: (input) => ok({ id: 'b1', ...(input as object) }),
      getBridge: () => ({ ok: false, problem: { code: 'config.unknown_bridge', message: 'x', retryable: false } }),
      startBridge: () => ok({ state: 'starting', dingtalk: { status: 'connecting' }, cccc: { status: 'unknown' }, outboxDepth: 0, inboxDepth: 0 }),
    });
    await renderWith(<Wizard prefill={{ step: 4, appKey: 'dingk' }} appSettings={{ ...settings, envSecretMode: true }} onDone={() => {}} />, api);
    expect(screen.queryByLabelText('Client Secret (formerly AppSecret)')).toBeNull();
    const env = screen.getByLabelText('Environment variable with the Client Secret') as HTMLInputElement;
    expect(env.value).toBe('DINGTALK_APP_SECRET');
    fireEvent.change(env, { target: { value: 'my-secret' } });
    expect(screen.getByText(/with SECRET, TOKEN, KEY, PASSWORD or CREDENTIAL in it/)).toBeTruthy();
    // A system variable is refused in words too: its value would be sent to DingTalk.
    fireEvent.change(env, { target: { value: 'home' } });
    expect(screen.getByText(/never a system variable such as HOME or PATH/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(false);
    await waitFor(() => expect((screen.getByLabelText('Working group') as HTMLSelectElement).value).toBe('g_1'));
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    expect(api.calls.some((c) => c.method === 'saveBridge')).toBe(false);
    fireEvent.change(env, { target: { value: 'team_dt_secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    await waitFor(() =>
      expect(api.calls.find((c) => c.method === 'saveBridge')?.input).toMatchObject({ appKey: 'dingk', secretEnv: 'TEAM_DT_SECRET', groupId: 'g_1' }),
    );
    expect(api.calls.find((c) => c.method === 'saveBridge')?.input).not.toHaveProperty('appSecret');
  });
});

describe('settings: DingTalk address', () => {
  const vault = { backend: 'os' as const, encrypted: true };
  const bridge = { id: 'b1', name: 'Demo' } as Parameters<typeof Settings>[0]['bridges'][number];
  const open = async (lng: 'en' | 'zh' = 'en') => {
    const api = scriptedApi({
      setAppSettings: (input) => ok({ ...settings, ...(input as object) }),
      getBridge: () => ({ ok: false, problem: { code: 'x', message: 'x', retryable: false } }),
    });
    await renderWith(<Settings settings={settings} vault={vault} bridges={[bridge]} onSettings={() => {}} onBridgesChanged={() => {}} />, api, lng);
    return api;
  };

  it('says in English that only DingTalk gets the secret, and saves nothing else without custom endpoint mode', async () => {
    const api = await open();
    fireEvent.change(screen.getByLabelText('DingTalk API base URL'), { target: { value: 'http://evil.example' } });
    expect(screen.getByText(/Only DingTalk itself \(https:\/\/api\.dingtalk\.com\) receives the Client Secret/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.calls.some((c) => c.method === 'setAppSettings')).toBe(false);

    // Custom endpoint mode: https only, and the secret typed again goes in the same call.
    fireEvent.click(screen.getByLabelText(/Custom endpoint \(private deployment\)/));
    expect(screen.getByText(/A custom endpoint must use https/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('DingTalk API base URL'), { target: { value: 'https://dingtalk.corp.example' } });
    expect((screen.getByRole('button', { name: 'Save' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Client Secret (entered again for the new address)'), { target: { value: 'typed-again-secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.calls.find((c) => c.method === 'setAppSettings')?.input).toEqual({
        apiBase: 'https://dingtalk.corp.example',
        oapiBase: null,
        customEndpoint: { bridgeId: 'b1', appSecret: 'typed-again-secret' },
      }),
    );
  });

  it('says it in 中文 too', async () => {
    await open('zh');
    fireEvent.change(screen.getByLabelText('钉钉 API 地址'), { target: { value: 'https://evil.example' } });
    expect(screen.getByText(/只有钉钉官方地址（https:\/\/api\.dingtalk\.com）会收到 Client Secret/)).toBeTruthy();
  });
});

describe('pending requests', () => {
  const request = { key: 'k1', chatId: 'cid1==', chatTitle: 'Payroll Admins', senderNick: 'CEO', createdAt: Date.now(), expiresAt: Date.now() + 600_000 };

  it.each([
    ['en', 'claims to be “CEO”', 'claims to be “Payroll Admins”', /anyone can choose them/],
    ['zh', '自称“CEO”', '自称“Payroll Admins”', /任何人都可以随意设置/],
  ] as const)('shows the requester’s names as claims (%s)', async (lng, nick, title, hint) => {
    await renderWith(<PendingList bridgeId="b1" pending={[request]} onApproved={() => {}} onRejected={() => {}} />, scriptedApi({}), lng);
    expect(screen.getByText(nick)).toBeTruthy();
    expect(screen.getByText(title)).toBeTruthy();
    expect(screen.getByText(hint)).toBeTruthy();
  });
});
