/** Recent messages through the bridge (the audit log), both directions. */
import { useTranslation } from 'react-i18next';
import type { AuditView } from '../../../electron/shared/api';
import { formatClock } from './format';

export function Traffic({ records, empty }: { records: AuditView[]; empty: string }) {
  const { t } = useTranslation();
  if (records.length === 0) return <p className="empty-inline">{empty}</p>;
  const newestFirst = [...records].sort((a, b) => b.ts - a.ts);
  return (
    <ul className="traffic">
      {newestFirst.map((r, i) => (
        <li key={`${r.ts}-${i}`} className={`traffic-row traffic-${r.direction}`}>
          <span className="traffic-dir">{r.direction === 'in' ? t('dashboard.dirIn') : t('dashboard.dirOut')}</span>
          <time className="traffic-time" dateTime={new Date(r.ts).toISOString()}>
            {formatClock(r.ts, false)}
          </time>
          <span className="traffic-who">{r.direction === 'in' ? (r.sender?.nick ?? r.sender?.id ?? '') : (r.recipients?.join(', ') ?? '')}</span>
          <span className="traffic-what">
            {r.content ?? (r.chars !== undefined ? t('dashboard.size', { kind: r.kind, count: r.chars }) : r.kind)}
            {r.refusal && <span className="traffic-bad"> {t('dashboard.refused', { code: r.refusal.code })}</span>}
            {r.result && !r.result.ok && <span className="traffic-bad"> {t('dashboard.failed', { code: r.result.code })}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}
