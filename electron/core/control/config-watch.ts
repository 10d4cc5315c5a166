/**
 * config.json is shared (core/config/store.ts): while this host runs, the CLI or the other host
 * may add, edit or delete a bridge. The config folder is watched; on a change of config.json the
 * UI is told (`bridges-changed`, so a bridge made with `cccc-dingtalk set` shows up), and every
 * running bridge is checked against its profile (Supervisor.reconcile: restarted into a new
 * group or app, given new settings live, stopped when deleted). Changes are gathered for a moment:
 * one save is several file events.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { toProblem } from '../errors';
import type { Logger } from '../log/logger';
import type { EventFanout } from './event-fanout';
import type { Supervisor } from './supervisor';

export interface ConfigWatchOptions {
  configHome: string;
  supervisor: Pick<Supervisor, 'reconcileAll'>;
  events: Pick<EventFanout, 'emit'>;
  log: Logger;
  /** How long to gather file events before acting; default 100 ms. */
  settleMs?: number;
}

const CONFIG_FILE = 'config.json';

export class ConfigWatch {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly o: ConfigWatchOptions) {}

  async start(): Promise<void> {
    await mkdir(this.o.configHome, { recursive: true, mode: 0o700 });
    if (this.closed) return;
    try {
      this.watcher = watch(this.o.configHome, (_event, name) => {
        if (name === null || name === CONFIG_FILE) this.schedule();
      });
      this.watcher.on('error', (err) => this.o.log.warn('Watching the configuration stopped; changes made elsewhere show after a restart', { error: err }));
    } catch (err) {
      this.o.log.warn('Cannot watch the configuration; changes made elsewhere show after a restart', { code: toProblem(err).code });
    }
  }

  /** Settles once what the last change started is done (tests wait on it). */
  idle(): Promise<void> {
    return this.running;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.running.then(() => this.changed());
    }, this.o.settleMs ?? 100);
  }

  private async changed(): Promise<void> {
    if (this.closed) return;
    this.o.events.emit({ type: 'bridges-changed' });
    await this.o.supervisor.reconcileAll().catch((err: unknown) => this.o.log.warn('Could not apply the changed configuration', { code: toProblem(err).code }));
  }
}
