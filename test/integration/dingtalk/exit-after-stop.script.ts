/**
 * Run as a child process by stream-lifecycle.test.ts: connects, exchanges a message, stops,
 * and then does nothing. If any timer or socket survived stop(), this process never exits.
 */
import { StreamClient } from '../../../electron/core/dingtalk/stream-client';
import { startFakeDingTalk } from '../../fakes/dingtalk';
import { waitFor } from '../../helpers/wait';

const dt = await startFakeDingTalk({ pingIntervalMs: 20, helloFrames: true });
const app = dt.apps[0]!;
let received = 0;
const client = new StreamClient({
  credentials: { appKey: app.appKey, appSecret: app.appSecret },
  endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
  keep: () => void (received += 1),
  pingIntervalMs: 20,
});
client.start();
await new Promise<void>((resolve) => client.on('state', (s) => s.status === 'connected' && resolve()));
dt.injectMessage({ text: 'x' });
await waitFor(() => received > 0, 'the message', 10_000);
dt.killConnection();
await new Promise<void>((resolve) => client.on('state', (s) => s.status === 'connected' && resolve()));
await client.stop();
await dt.close();
process.stdout.write(`stopped received=${received}\n`);
