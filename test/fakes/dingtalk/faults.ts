/**
 * Fault injection for the fake DingTalk: the faults tests switch on, plugged into the fake's
 * hooks (electron/sandbox/dingtalk/hooks.ts). Test-only: the app bundle never imports this
 * (test/packaging/sandbox-faults.test.ts).
 */
import { legacy, v1, type CardStep, type FakeHooks } from '../../../electron/sandbox/dingtalk/index';

export interface Faults {
  /** connections/open → 401 {"requestid","code":"authFailed","message":"鉴权失败"}. */
  openAuthFail: boolean;
  /** The next N connections/open → 400 {"code":"systemError",…}. Counts down. */
  openSystemError: number;
  /** WebSocket upgrades are answered with HTTP 502. */
  wsRefuse: boolean;
  /** Every ticket is treated as invalid on connect. */
  invalidTicketOnConnect: boolean;
  /** Zombie sockets: open, answer WS pings, but no frames at all (no pushes, no SYSTEM pings). */
  silent: boolean;
  /** Dead-but-open sockets: no WS pongs, no frames, client frames ignored. */
  noPong: boolean;
  /** ACKs are recorded (with `ignored: true`) but do not count: forces redelivery. */
  dropAcks: boolean;
  /** API name → required scopes; that API answers 403 AccessTokenPermissionDenied. */
  permissionDenied: Record<string, string[]>;
  /** Send APIs → 400 invalidParameter.robotCode.notExsit. */
  robotNotFound: boolean;
  /** The next N calls of the send APIs → 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi (others, cards among them, pass). Counts down. */
  sendThrottled: number;
  /** Token-authenticated APIs → 403 Forbidden.AccessDenied.IpNotInWhiteList (legacy: errcode 60020). */
  ipNotInWhitelist: boolean;
  /** oToMessages/batchSend lists these userIds in invalidStaffIdList. */
  otoInvalidStaff: string[];
  /** oToMessages/batchSend lists these userIds in flowControlledStaffIdList. */
  otoFlowControlled: string[];
  /** Every session webhook answers {"errcode":300001,"errmsg":"session 不存在"}. */
  webhookExpired: boolean;
  /** Delay every HTTP answer by this. */
  httpDelayMs: number;
  /** The next N HTTP requests get their socket destroyed without an answer. Counts down. */
  networkErrorNext: number;
  /** Card API step → the next N calls at that step answer 400 systemError (Infinity: all). Counts down. */
  cardFail: Partial<Record<CardStep, number>>;
}

/** Per-connection faults (additive to the global ones). */
export interface ConnectionFaults {
  silent?: boolean;
  noPong?: boolean;
}

export interface FaultControls {
  setFault(f: Partial<Faults>): void;
  clearFaults(): void;
  setConnectionFault(connectionId: string, f: ConnectionFaults): void;
}

export function noFaults(): Faults {
  return {
    openAuthFail: false,
    openSystemError: 0,
    wsRefuse: false,
    invalidTicketOnConnect: false,
    silent: false,
    noPong: false,
    dropAcks: false,
    permissionDenied: {},
    robotNotFound: false,
    sendThrottled: 0,
    ipNotInWhitelist: false,
    otoInvalidStaff: [],
    otoFlowControlled: [],
    webhookExpired: false,
    httpDelayMs: 0,
    networkErrorNext: 0,
    cardFail: {},
  };
}

/** The faults in force, answering the fake's hooks. */
export class FaultInjector implements FakeHooks {
  private faults = noFaults();
  private readonly perConnection = new Map<string, ConnectionFaults>();

  set(f: Partial<Faults>): void {
    this.faults = { ...this.faults, ...structuredClone(f) };
  }

  clear(): void {
    this.faults = noFaults();
  }

  setConnection(connectionId: string, f: ConnectionFaults): void {
    this.perConnection.set(connectionId, { ...this.perConnection.get(connectionId), ...f });
  }

  dropRequest(): boolean {
    if (this.faults.networkErrorNext <= 0) return false;
    this.faults.networkErrorNext -= 1;
    return true;
  }

  answerDelayMs(): number {
    return this.faults.httpDelayMs;
  }

  refuseOpen(): ReturnType<NonNullable<FakeHooks['refuseOpen']>> {
    if (this.faults.openAuthFail) return { outcome: 'authFailed', error: v1.authFailed() };
    if (this.faults.openSystemError <= 0) return undefined;
    this.faults.openSystemError -= 1;
    return { outcome: 'systemError', error: v1.systemError() };
  }

  refuseUpgrade(): 'badGateway' | 'invalidTicket' | undefined {
    if (this.faults.wsRefuse) return 'badGateway';
    return this.faults.invalidTicketOnConnect ? 'invalidTicket' : undefined;
  }

  v1Gate(api: string, stage: 'beforeQps' | 'afterQps'): ReturnType<typeof v1.qps> | undefined {
    if (stage === 'beforeQps') return this.faults.ipNotInWhitelist ? v1.ipNotInWhitelist() : undefined;
    const denied = this.faults.permissionDenied[api];
    return denied ? v1.permissionDenied(denied) : undefined;
  }

  legacyGate(api: string, stage: 'beforeQps' | 'afterQps'): ReturnType<typeof legacy.qps> | undefined {
    if (stage === 'beforeQps') return this.faults.ipNotInWhitelist ? legacy.ipNotInWhitelist() : undefined;
    const denied = this.faults.permissionDenied[api];
    return denied ? legacy.noPermission(denied) : undefined;
  }

  robotGate(): ReturnType<typeof v1.robotNotFound> | undefined {
    if (this.faults.robotNotFound) return v1.robotNotFound();
    if (this.faults.sendThrottled <= 0) return undefined;
    this.faults.sendThrottled -= 1;
    return v1.qps();
  }

  cardGate(step: CardStep): ReturnType<typeof v1.systemError> | undefined {
    const left = this.faults.cardFail[step] ?? 0;
    if (left <= 0) return undefined;
    this.faults.cardFail[step] = left - 1;
    return v1.systemError();
  }

  otoUnreached(): { invalid: string[]; flowControlled: string[] } {
    return { invalid: this.faults.otoInvalidStaff, flowControlled: this.faults.otoFlowControlled };
  }

  sessionGone(): boolean {
    return this.faults.webhookExpired;
  }

  ignoreAck(): boolean {
    return this.faults.dropAcks;
  }

  silent(connectionId: string): boolean {
    return this.faults.silent || this.perConnection.get(connectionId)?.silent === true;
  }

  noPong(connectionId: string): boolean {
    return this.faults.noPong || this.perConnection.get(connectionId)?.noPong === true;
  }
}
