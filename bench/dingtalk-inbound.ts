/**
 * Inbound latency: a robot-message frame leaving the gateway → the bridge's handler running,
 * over loopback, one message at a time (so queueing does not hide the client's own cost).
 * A bare `ws` client doing only JSON.parse is timed the same way as the transport baseline;
 * the difference is what the StreamClient adds (parse, validate, ACK, dedup, normalize).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { StreamClient } from '../electron/core/dingtalk/stream-client';
import { robotFrame, startRawGateway } from '../test/helpers/raw-gateway';
import { percentile, round } from './stats';

export const name = 'dingtalk-inbound';

const MESSAGES = 10_000;
const WARMUP = 500;

async function pingPong(send: (frame: string) => void, onReceive: (cb: () => void) => void, frames: string[]): Promise<number[]> {
  const latencies: number[] = [];
  let i = 0;
  let t0 = 0;
  await new Promise<void>((resolve) => {
    onReceive(() => {
      if (i >= WARMUP) latencies.push(performance.now() - t0);
      i += 1;
      if (i === frames.length) return resolve();
      t0 = performance.now();
      send(frames[i]!);
    });
    t0 = performance.now();
    send(frames[0]!);
  });
  return latencies;
}

export async function run(): Promise<Record<string, number>> {
  const frames = Array.from({ length: MESSAGES + WARMUP }, (_, i) =>
    robotFrame(`msg-${i}`, {
      text: { content: ` 请检查一下代码质量 message ${i}` },
      sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=x',
      sessionWebhookExpiredTime: Date.now() + 5_400_000,
      createAt: Date.now(),
    }),
  );

  const gw = await startRawGateway();
  let delivered: (() => void) | undefined;
  const client = new StreamClient({
    credentials: { appKey: 'bench', appSecret: 'bench-secret' },
    endpoints: { apiBase: gw.base, oapiBase: gw.base },
    keep: () => delivered?.(),
  });
  client.start();
  while (gw.sockets.length === 0 || client.state.status !== 'connected') await new Promise((r) => setTimeout(r, 5));
  const serverSide = gw.sockets[0]!;
  serverSide.on('message', () => undefined); // ACKs
  const withClient = await pingPong(
    (f) => serverSide.send(f),
    (cb) => (delivered = cb),
    frames,
  );
  await client.stop();
  await gw.close();

  const gw2 = await startRawGateway();
  const bare = new WebSocket(gw2.base.replace('http', 'ws') + '/connect', { perMessageDeflate: false });
  await new Promise((r) => bare.once('open', r));
  while (gw2.sockets.length === 0) await new Promise((r) => setTimeout(r, 5));
  const bareServer = gw2.sockets[0]!;
  const baseline = await pingPong(
    (f) => bareServer.send(f),
    (cb) =>
      bare.on('message', (d) => {
        JSON.parse(d.toString());
        cb();
      }),
    frames.map((f, i) => f.replace('msg-', `bare-${i}-`)),
  );
  bare.terminate();
  await gw2.close();

  const p50 = percentile(withClient, 50);
  const p99 = percentile(withClient, 99);
  const b50 = percentile(baseline, 50);
  const b99 = percentile(baseline, 99);
  return {
    inbound_messages: withClient.length,
    inbound_p50_ms: p50,
    inbound_p99_ms: p99,
    inbound_transport_p50_ms: b50,
    inbound_transport_p99_ms: b99,
    inbound_client_added_p50_ms: round(Math.max(0, p50 - b50)),
    inbound_client_added_p99_ms: round(Math.max(0, p99 - b99)),
  };
}
