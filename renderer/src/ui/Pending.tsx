/** Subscription requests waiting for a decision, with Approve / Reject. */
import { useTranslation } from 'react-i18next';
import type { PendingView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { currentLanguage } from '../i18n';
import type { TFunction } from 'i18next';
import { chatLabel } from './chatLabel';
import { formatRelative } from './format';
import { useNow } from './useNow';
import { ProblemBox } from './Problem';

export function PendingList({
  bridgeId,
  pending,
  onApproved,
  onRejected,
}: {
  bridgeId: string;
  pending: PendingView[];
  onApproved: (p: PendingView) => void;
  onRejected: (p: PendingView) => void;
}) {
  const { t, i18n } = useTranslation();
  const decision = useApiMutation();
  const lng = currentLanguage(i18n);
  const now = useNow();
  const title = (p: PendingView): string => chatName(p, t);

  const decide = async (p: PendingView, approve: boolean): Promise<void> => {
    const done = approve ? await decision.run('approvePending', { bridgeId, key: p.key }) : await decision.run('rejectPending', { bridgeId, key: p.key });
    if (!done) return;
    if (approve) onApproved(p);
    else onRejected(p);
  };

  return (
    <>
      {pending.length > 0 && (
        <ul className="pending-list" aria-label={t('wizard.subscribe.request')}>
          {pending.map((p) => (
            <li key={p.key} className="pending">
              <div className="pending-info">
                <p className="pending-title">{t('wizard.subscribe.request')}</p>
                <dl className="pending-facts">
                  <dt>{t('wizard.subscribe.chat')}</dt>
                  <dd title={p.chatId}>{p.chatTitle ? t('wizard.subscribe.claims', { name: p.chatTitle }) : title(p)}</dd>
                  <dt>{t('wizard.subscribe.key')}</dt>
                  <dd>
                    <code>{p.key}</code> <span className="hint">{t('wizard.subscribe.keyHint')}</span>
                  </dd>
                  <dt>{t('wizard.subscribe.from')}</dt>
                  <dd>{p.senderNick ? t('wizard.subscribe.claims', { name: p.senderNick }) : t('common.unknown')}</dd>
                </dl>
                <p className="hint">{t('wizard.subscribe.claimsHint')}</p>
                <p className="hint">{t('wizard.subscribe.expires', { time: formatRelative(p.expiresAt, lng, now, t('time.justNow')) })}</p>
              </div>
              <div className="pending-actions">
                <button
                  type="button"
                  className="btn btn-primary"
                  disabled={decision.busy}
                  onClick={() => void decide(p, true)}
                  aria-label={`${t('wizard.subscribe.approve')}: ${title(p)}`}
                >
                  {t('wizard.subscribe.approve')}
                </button>
                <button
                  type="button"
                  className="btn"
                  disabled={decision.busy}
                  onClick={() => void decide(p, false)}
                  aria-label={`${t('wizard.subscribe.reject')}: ${title(p)}`}
                >
                  {t('wizard.subscribe.reject')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {decision.problem && <ProblemBox problem={decision.problem} />}
    </>
  );
}

/** A single chat has no title: it is named after the person (a chat without a title and a type known is taken for one). */
export function chatName(p: PendingView, t: TFunction): string {
  const type = p.chatType ?? (!p.chatTitle && p.senderNick ? 'single' : undefined);
  return chatLabel(
    { chatId: p.chatId, ...(p.chatTitle ? { title: p.chatTitle } : {}), ...(type ? { type } : {}), ...(p.senderNick ? { withNick: p.senderNick } : {}) },
    t,
  );
}

/** Adds requests (from a fetch or an event) without duplicates, oldest first. */
export function mergePending(current: PendingView[], incoming: PendingView[]): PendingView[] {
  const byKey = new Map(current.map((p) => [p.key, p]));
  for (const p of incoming) byKey.set(p.key, p);
  return [...byKey.values()].sort((a, b) => a.createdAt - b.createdAt);
}
