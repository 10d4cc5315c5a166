/** Wires a StreamClient to a fake DingTalk and records what it does. */
import { StreamClient, type StreamClientOptions, type StreamState } from '../../../electron/core/dingtalk/stream-client';
import type { InboundMessage } from '../../../electron/core/dingtalk/inbound-message';
import { memoryLogger } from '../../../electron/core/log/logger';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from '../../fakes/dingtalk';

export interface Harness {
  dt: FakeDingTalk;
  client: StreamClient;
  messages: InboundMessage[];
  states: StreamState[];
  log: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

export async function startHarness(fakeOptions: FakeDingTalkOptions = {}, clientOptions: Partial<StreamClientOptions> = {}): Promise<Harness> {
  const dt = await startFakeDingTalk(fakeOptions);
  const app = dt.apps[0]!;
  const messages: InboundMessage[] = [];
  const states: StreamState[] = [];
  const log = memoryLogger('test', () => [app.appSecret]);
  const client = new StreamClient({
    credentials: { appKey: app.appKey, appSecret: app.appSecret },
    endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
    logger: log,
    backoff: { baseMs: 20, capMs: 200, jitterMs: 10 },
    ...clientOptions,
    // `messages`: what the client handed on and the test's own `keep` (if any) took.
    keep: async (m) => {
      await clientOptions.keep?.(m);
      messages.push(m);
    },
  });
  client.on('state', (s) => states.push(s));
  return {
    dt,
    client,
    messages,
    states,
    log,
    async close() {
      await client.stop();
      await dt.close();
    },
  };
}
