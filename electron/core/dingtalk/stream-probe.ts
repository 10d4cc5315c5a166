/**
 * Opens one Stream connection and closes it: does DingTalk accept these credentials for Stream
 * mode from here? It subscribes to events only, which no bridge does: DingTalk gives each push
 * to one connection of the app, so a probe that subscribed to robot messages or card presses
 * could swallow one meant for a running bridge.
 */
import type { Problem } from '../errors';
import type { Logger } from '../log/logger';
import { type DingTalkCredentials, type DingTalkEndpoints } from './endpoints';
import type { CallCounter } from './http';
import { StreamClient } from './stream-client';

/** Resolves with undefined when the connection opened, or with why it did not. */
export async function probeStream(
  credentials: DingTalkCredentials,
  endpoints: DingTalkEndpoints,
  timeoutMs: number,
  logger?: Logger,
  counter?: CallCounter,
): Promise<Problem | undefined> {
  const client = new StreamClient({
    credentials,
    endpoints,
    callbackTopics: [],
    eventTopics: ['*'],
    keep: () => undefined,
    handshakeTimeoutMs: timeoutMs,
    ...(logger ? { logger } : {}),
    ...(counter ? { counter } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Problem | undefined>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            code: 'dingtalk.stream_timeout',
            message: `The Stream connection did not open within ${Math.round(timeoutMs / 100) / 10} s`,
            retryable: true,
          }),
        timeoutMs,
      );
      client.on('state', (s) => {
        if (s.status === 'connected') resolve(undefined);
        else if (s.status === 'reconnecting' || s.status === 'error') resolve(s.problem);
      });
      client.start();
    });
  } finally {
    clearTimeout(timer);
    await client.stop();
  }
}
