/** Renders renderer components with a real i18n instance and a scripted API. */
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { DEFAULT_SETTINGS } from '../../../electron/core/bridge/settings';
import type { ApiEvent, ApiMethod, ApiResponse, BridgeDetail, Language } from '../../../electron/shared/api';
import { ApiClient } from '../../../renderer/src/api/client';
import { ApiProvider } from '../../../renderer/src/api/context';
import type { StreamState, Transport } from '../../../renderer/src/api/transports';
import { createI18n } from '../../../renderer/src/i18n';

type Handler = (input: unknown) => ApiResponse<ApiMethod> | Promise<ApiResponse<ApiMethod>>;

export interface ScriptedApi {
  transport: Transport;
  calls: { method: ApiMethod; input: unknown }[];
  emit(event: ApiEvent): void;
}

/** Answers each method from `handlers`; a method without one fails the test loudly. `kind`: 'http' is the page on `serve`. */
export function scriptedApi(handlers: Partial<Record<ApiMethod, Handler>>, kind: Transport['kind'] = 'ipc'): ScriptedApi {
  const listeners = new Set<(e: ApiEvent) => void>();
  const calls: ScriptedApi['calls'] = [];
  const transport: Transport = {
    kind,
    async invoke(method, input) {
      calls.push({ method, input });
      const h = handlers[method];
      if (!h) throw new Error(`unexpected call: ${method}`);
      return (await h(input)) as never;
    },
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onStreamState(l: (s: StreamState) => void) {
      l('open');
      return () => {};
    },
  };
  return { transport, calls, emit: (e) => listeners.forEach((l) => l(e)) };
}

export const ok = <T,>(result: T) => ({ ok: true as const, result }) as ApiResponse<ApiMethod>;

export async function renderWith(ui: ReactNode, api: ScriptedApi, lng: Language = 'en'): Promise<RenderResult> {
  const i18n = await createI18n(lng);
  return render(
    <I18nextProvider i18n={i18n}>
      <ApiProvider value={new ApiClient(api.transport)}>{ui}</ApiProvider>
    </I18nextProvider>,
  );
}

/** A stopped bridge as getBridge answers, with `over` on top. */
export function bridgeDetail(over: Partial<BridgeDetail> = {}): BridgeDetail {
  return {
    id: 'b1',
    name: 'Ops bridge',
    groupId: 'g_1',
    appKey: 'dingabc',
    secretSet: true,
    secretSource: 'vault',
    autoStart: true,
    settings: structuredClone(DEFAULT_SETTINGS),
    status: { state: 'stopped', dingtalk: { status: 'stopped' }, cccc: { status: 'unknown' }, outboxDepth: 0, inboxDepth: 0 },
    actors: [],
    chats: [],
    pending: [],
    people: [],
    unreachableChats: 0,
    apiUsage: { month: '2025-06', calls: 0, byApi: [], forecast: 0, daysElapsed: 1, daysInMonth: 30, allowance: 'full' },
    ...over,
  };
}
