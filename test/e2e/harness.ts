/** A bridge wired to a fake DingTalk and a fake CCCC daemon, with helpers to play both sides. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bridge, type BridgeServices } from '../../electron/core/bridge/bridge';
import { DEFAULT_SETTINGS, type BridgeSettings } from '../../electron/core/bridge/settings';
import { memoryLogger } from '../../electron/core/log/logger';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions, type InjectInput, type SentMessage } from '../fakes/dingtalk';
import { FakeCcccDaemon, type FakeDaemonOptions } from '../fakes/cccc/daemon';
import type { LedgerEvent } from '../fakes/cccc/ledger';
import { waitFor } from '../helpers/wait';

export interface E2E {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  bridge: Bridge;
  groupId: string;
  stateDir: string;
  log: ReturnType<typeof memoryLogger>;
  /** A person writes to the robot; returns the injected message. */
  say(text: string, opts?: Partial<InjectInput>): ReturnType<FakeDingTalk['injectMessage']>;
  /** Waits for the robot's next message(s) to a chat whose text matches. */
  reply(match: RegExp | string, chat?: string): Promise<SentMessage>;
  texts(chat?: string): string[];
  /** Subscribes and approves a chat, returning when the confirmation arrived. */
  subscribe(chat?: string, opts?: Partial<InjectInput>): Promise<void>;
  restartBridge(): Promise<void>;
  /** Every event in the group's active ledger. */
  ledger(): Promise<LedgerEvent[]>;
  /** Messages people sent into CCCC through the bridge. */
  fromPeople(): Promise<LedgerEvent[]>;
  close(): Promise<void>;
}

export const GROUP_CHAT = 'cidGroupChat001==';
export const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice' };
/** Alice's single chat with the robot, and what a message in it carries. */
export const SINGLE = 'cidSingleAlice==';
export const SINGLE_CHAT = { conversationId: SINGLE, conversationType: '1' as const, conversationTitle: undefined };

/** The visible text of a sent message, whatever its kind. */
export function textOf(m: SentMessage): string {
  const p = m.msgParam as Record<string, unknown>;
  return String(p['content'] ?? p['text'] ?? p['fileName'] ?? p['photoURL'] ?? '');
}

export interface E2EOptions {
  settings?: Partial<BridgeSettings>;
  dingtalk?: FakeDingTalkOptions;
  services?: BridgeServices;
  /** The bridge's state dir (default: a fresh temporary one). */
  stateDir?: string;
  /** Sees every bridge made, before it starts. */
  onBridge?: (bridge: Bridge) => void;
  /** Which CCCC the fake daemon plays (default: CCCC's main branch). */
  cccc?: FakeDaemonOptions;
}

export async function startE2E(options: E2EOptions = {}): Promise<E2E> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000, ...options.dingtalk });
  const cccc = await FakeCcccDaemon.start(options.cccc);
  const groupId = await cccc.createGroup({ title: 'Demo project', actors: ['boss', 'helper'] });
  const stateDir = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'bridge-state-')));
  const app = dt.apps[0]!;
  const log = memoryLogger('e2e', () => [app.appSecret]);
  const make = (): Bridge => {
    const bridge = new Bridge(
      {
        groupId,
        ccccHome: cccc.home,
        stateDir,
        credentials: { appKey: app.appKey, appSecret: app.appSecret, robotCode: app.robotCode },
        endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
        settings: { ...DEFAULT_SETTINGS, ...options.settings },
      },
      { logger: log, secrets: () => [app.appSecret], ledgerPollMs: 200, daemonPollMs: 200, ...options.services },
    );
    options.onBridge?.(bridge);
    return bridge;
  };
  const e: E2E = {
    dt,
    cccc,
    bridge: make(),
    groupId,
    stateDir,
    log,
    say: (text, opts = {}) => dt.injectMessage({ text, conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE, ...opts }),
    texts: (chat = GROUP_CHAT) =>
      dt
        .sentMessages()
        .filter((m) => m.conversationId === chat || (m.via === 'webhook' && !m.conversationId) || chat === '*')
        .map(textOf),
    async reply(match, chat = GROUP_CHAT) {
      const re = typeof match === 'string' ? new RegExp(match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : match;
      return waitFor(
        () => dt.sentMessages().find((m) => (m.conversationId === chat || m.via === 'webhook' || chat === '*') && re.test(textOf(m))),
        `reply ${re}`,
        8_000,
      );
    },
    async subscribe(chat = GROUP_CHAT, opts = {}) {
      e.say('/subscribe', { conversationId: chat, ...opts });
      await e.reply(/cccc im bind --key/, chat);
      const [pending] = (await e.bridge.inspect()).pending;
      await e.bridge.approve(pending!.key);
      await e.reply(/订阅已批准|approved/, chat);
      dt.clearSent();
    },
    async restartBridge() {
      await e.bridge.stop();
      e.bridge = make();
      await e.bridge.start();
      await waitFor(() => e.bridge.status().dingtalk.status === 'connected', 'bridge connected again');
    },
    async ledger() {
      const text = await readFile(join(cccc.groupDir(), 'ledger.jsonl'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as LedgerEvent);
    },
    async fromPeople() {
      return (await e.ledger()).filter((ev) => ev.kind === 'chat.message' && ev.by === 'user');
    },
    async close() {
      await e.bridge.stop();
      await dt.close();
      await cccc.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  await e.bridge.start();
  await waitFor(() => e.bridge.status().dingtalk.status === 'connected', 'bridge connected');
  return e;
}
