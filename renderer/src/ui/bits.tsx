import { useId, type ReactNode } from 'react';
import type { BridgeRunState, ConnectionState } from '../../../electron/shared/api';

export type Tone = 'ok' | 'warn' | 'error' | 'idle' | 'busy';

export const RUN_TONE: Record<BridgeRunState, Tone> = { stopped: 'idle', starting: 'busy', running: 'ok', degraded: 'warn', error: 'error' };
export const CONN_TONE: Record<ConnectionState, Tone> = {
  idle: 'idle',
  connecting: 'busy',
  connected: 'ok',
  reconnecting: 'warn',
  stopped: 'idle',
  error: 'error',
};

/** A state word with a coloured dot; the word carries the meaning, the colour only repeats it. */
export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return (
    <span className={`badge badge-${tone}`}>
      <span className="badge-dot" aria-hidden="true" />
      {children}
    </span>
  );
}

/** What an empty list or a not-yet state looks like: an icon, a title, and what to do. */
export function Empty({ icon, title, children }: { icon: string; title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <span className="empty-icon" aria-hidden="true">
        {icon}
      </span>
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Card({ title, actions, children, className }: { title: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  const labelId = useId();
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={labelId}>
      <header className="card-head">
        <h2 id={labelId}>{title}</h2>
        {actions && <div className="card-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** Renders `text` with `code` spans for the parts between backticks (commands in hints). */
export function Rich({ text }: { text: string }) {
  const parts = text.split('`');
  return <>{parts.map((p, i) => (i % 2 === 1 ? <code key={i}>{p}</code> : <span key={i}>{p}</span>))}</>;
}
