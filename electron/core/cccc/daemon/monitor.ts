/**
 * Watches whether the CCCC daemon is reachable, so the bridge can ride out CCCC being down or
 * restarted: a ping every `intervalMs` while up, exponential backoff with jitter while down.
 * Listeners hear about up/down changes and about a restart (new pid) seen while up.
 * `stop()` clears the timer and aborts an in-flight ping; nothing is left behind.
 */
import { toProblem, type Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff';
import type { CallOptions } from './client';
import type { PingResult } from './ops';

export type DaemonStatus = 'unknown' | 'up' | 'down';

export interface DaemonState {
  status: DaemonStatus;
  /** When the status last changed (ms since epoch). */
  since: number;
  version?: string;
  pid?: number;
  ipcVersion?: number;
  /** Why it is down. */
  problem?: Problem;
  /** Failed checks in a row. */
  failures: number;
  /** Delay before the next check, when one is scheduled. */
  nextCheckInMs?: number;
}

export type DaemonStateListener = (state: DaemonState, previous: DaemonState) => void;

export interface DaemonMonitorOptions {
  intervalMs?: number;
  backoff?: BackoffPolicy;
  pingTimeoutMs?: number;
  random?: () => number;
  logger?: Logger;
  now?: () => number;
}

interface Pinger {
  ping(options?: CallOptions): Promise<PingResult>;
}

export class DaemonMonitor {
  private current: DaemonState;
  private readonly listeners = new Set<DaemonStateListener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inflight: AbortController | undefined;
  private running = false;
  private readonly intervalMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly pingTimeoutMs: number;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(
    private readonly client: Pinger,
    options: DaemonMonitorOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.backoff = options.backoff ?? { baseMs: 500, capMs: 30_000, jitterMs: 500 };
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3_000;
    this.random = options.random ?? Math.random;
    this.log = (options.logger ?? silentLogger).child('cccc.monitor');
    this.now = options.now ?? Date.now;
    this.current = { status: 'unknown', since: this.now(), failures: 0 };
  }

  get state(): DaemonState {
    return { ...this.current };
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  onChange(listener: DaemonStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.check();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.inflight?.abort();
    this.inflight = undefined;
  }

  /** Checks at once (e.g. after a request failed) instead of waiting for the schedule. */
  async checkNow(): Promise<DaemonState> {
    if (!this.running) return this.state;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.check();
    return this.state;
  }

  private async check(): Promise<void> {
    if (this.inflight) return;
    const controller = new AbortController();
    this.inflight = controller;
    let next: DaemonState;
    try {
      const pong = await this.client.ping({ signal: controller.signal, timeoutMs: this.pingTimeoutMs, retries: 0 });
      next = {
        status: 'up',
        since: this.current.status === 'up' ? this.current.since : this.now(),
        version: pong.version,
        pid: pong.pid,
        ipcVersion: pong.ipc_v,
        failures: 0,
      };
    } catch (err) {
      next = {
        status: 'down',
        since: this.current.status === 'down' ? this.current.since : this.now(),
        problem: toProblem(err, 'cccc.unreachable'),
        failures: this.current.failures + 1,
      };
    } finally {
      if (this.inflight === controller) this.inflight = undefined;
    }
    if (!this.running || controller.signal.aborted) return;
    const delay = next.status === 'up' ? this.intervalMs : backoffDelay(next.failures - 1, this.backoff, this.random);
    next.nextCheckInMs = delay;
    this.update(next);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, delay);
  }

  private update(next: DaemonState): void {
    const previous = this.current;
    this.current = next;
    const changed = previous.status !== next.status || (next.status === 'up' && previous.pid !== undefined && previous.pid !== next.pid);
    if (!changed) return;
    if (next.status === 'up') this.log.info('CCCC daemon is up', { version: next.version, pid: next.pid, restarted: previous.status === 'up' });
    else this.log.warn('CCCC daemon is down', { code: next.problem?.code, failures: next.failures });
    for (const listener of [...this.listeners]) {
      try {
        listener(this.state, { ...previous });
      } catch (err) {
        this.log.error('daemon state listener failed', { error: toProblem(err).message });
      }
    }
  }
}
