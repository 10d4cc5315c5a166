/**
 * The events the UI listens to: every supervisor event and log record, turned into an ApiEvent,
 * scrubbed of every known secret and handed to every listener. Desktop notifications come from
 * these events (desktop/tray TrayNotifier, shown by the app).
 */
import type { ApiEvent, PendingView } from '../../shared/api';
import type { LogHub } from './log-hub';
import type { Supervisor, SupervisorEvent } from './supervisor';
import { problemView, scrub } from './views';

export interface ControlEvents {
  /** Calls `listener` with every event; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

export class EventFanout implements ControlEvents {
  private readonly listeners = new Set<(event: ApiEvent) => void>();
  private readonly unsubscribeLogs: () => void;
  private readonly onSupervisorEvent = (e: SupervisorEvent): void => this.fromSupervisor(e);

  constructor(
    private readonly supervisor: Supervisor,
    logHub: LogHub,
    private readonly secrets: () => string[],
  ) {
    supervisor.on('event', this.onSupervisorEvent);
    this.unsubscribeLogs = logHub.subscribe((record) => this.emit({ type: 'log', record }));
  }

  subscribe(listener: (event: ApiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ApiEvent): void {
    const safe = scrub(event, this.secrets());
    for (const listener of this.listeners) {
      try {
        listener(safe);
      } catch {
        // Not logged: the log record would be an event for the same failing listener.
      }
    }
  }

  close(): void {
    this.unsubscribeLogs();
    this.supervisor.off('event', this.onSupervisorEvent);
    this.listeners.clear();
  }

  private fromSupervisor(e: SupervisorEvent): void {
    if (e.type === 'bridge-status') this.emit(e);
    else if (e.type === 'problem') {
      this.emit({ type: 'problem', bridgeId: e.bridgeId, problem: problemView(e.problem) });
    } else {
      const n = e.notice;
      const pending: PendingView = { key: n.key, chatId: n.chatId, createdAt: n.createdAt, expiresAt: n.expiresAt, senderNick: n.senderNick };
      if (n.chatTitle) pending.chatTitle = n.chatTitle;
      this.emit({ type: 'pending', bridgeId: e.bridgeId, pending });
    }
  }
}
