/**
 * Seams where tests plug fault injection into the fake DingTalk (test/fakes/dingtalk/faults.ts).
 * The sandbox passes none: with every hook absent the fake is DingTalk behaving normally. The
 * fault catalogue itself stays out of the app bundle (test/packaging/sandbox-faults.test.ts).
 */
import type { LegacyError, V1Error } from './errors';
import type { CardStep, OpenOutcome } from './types';

/** Where a token-checked API asks: before its QPS window is counted, or after. */
export type GateStage = 'beforeQps' | 'afterQps';

export interface FakeHooks {
  /** Before an HTTP request is read: true destroys its socket without an answer. */
  dropRequest?(): boolean;
  /** How long to hold every HTTP answer. */
  answerDelayMs?(): number;
  /** connections/open, before any check: a refusal instead. */
  refuseOpen?(): { outcome: Exclude<OpenOutcome, 'ok' | 'badRequest'>; error: V1Error } | undefined;
  /** WebSocket upgrade: refuse it with HTTP 502, or as if the ticket were bad. */
  refuseUpgrade?(): 'badGateway' | 'invalidTicket' | undefined;
  /** Token-checked v1.0 APIs: an error answered instead. */
  v1Gate?(api: string, stage: GateStage): V1Error | undefined;
  /** Token-checked legacy OAPI APIs: an error answered instead. */
  legacyGate?(api: string, stage: GateStage): LegacyError | undefined;
  /** Robot send APIs with a robotCode: an error answered instead. */
  robotGate?(): V1Error | undefined;
  /** Card APIs, after their permission check: an error answered at this step instead. */
  cardGate?(step: CardStep): V1Error | undefined;
  /** oToMessages/batchSend: the users DingTalk reports as not reached. */
  otoUnreached?(userIds: string[]): { invalid: string[]; flowControlled: string[] };
  /** Session webhooks: true answers as if the session were gone. */
  sessionGone?(): boolean;
  /** ACKs: true records the ACK but does not honour it. */
  ignoreAck?(): boolean;
  /** The socket still answers WS pings but gets no frames. */
  silent?(connectionId: string): boolean;
  /** The socket answers no WS pings, gets no frames, and its frames are ignored. */
  noPong?(connectionId: string): boolean;
}
