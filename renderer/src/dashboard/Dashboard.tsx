/** One bridge at a glance: links, group and agents, chats, pending requests, queues, last problem. */
import { useCallback, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiEvent, BridgeDetail } from '../../../electron/shared/api';
import { useApiEvents } from '../api/context';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { currentLanguage } from '../i18n';
import { Badge, Card, CONN_TONE, Empty, RUN_TONE } from '../ui/bits';
import { chatLabel } from '../ui/chatLabel';
import { formatClock, formatDate, formatRelative } from '../ui/format';
import { mergePending, PendingList } from '../ui/Pending';
import { ProblemBox } from '../ui/Problem';
import { StopSandbox } from '../ui/StopSandbox';
import { useNow } from '../ui/useNow';
import { Traffic } from '../ui/Traffic';
import { ApiUsageCard } from './ApiUsage';

/** Agents' running state and queue depths have no events of their own: refresh at this pace. */
const REFRESH_MS = 5_000;

export function Dashboard({
  bridgeId,
  onOpenLogs,
  onSetUpButtonCards,
}: {
  bridgeId: string;
  onOpenLogs: () => void;
  /** Opens Settings at this bridge's Buttons on cards. */
  onSetUpButtonCards: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage(i18n);
  const now = useNow(REFRESH_MS);
  const action = useApiMutation();

  // Pushed statuses are the newest: an answer to a call sent before one of them keeps the pushed status.
  const statusEvents = useRef(0);
  const keepPushedStatus = useCallback(() => {
    const seen = statusEvents.current;
    return (shown: BridgeDetail | undefined, answer: BridgeDetail) => (shown && statusEvents.current !== seen ? { ...answer, status: shown.status } : answer);
  }, []);
  const refetchOn = (e: ApiEvent): boolean => e.type === 'bridges-changed';
  const bridge = useApiQuery('getBridge', { bridgeId }, { everyMs: REFRESH_MS, refetchOn, merge: keepPushedStatus });
  const audit = useApiQuery('audit', { bridgeId, limit: 15 }, { everyMs: REFRESH_MS, refetchOn });
  const detail = bridge.data;
  const traffic = audit.data ?? [];
  const refresh = (): void => {
    bridge.refetch();
    audit.refetch();
  };

  useApiEvents((e) => {
    if (!('bridgeId' in e) || e.bridgeId !== bridgeId) return;
    if (e.type === 'bridge-status') {
      statusEvents.current += 1;
      bridge.setData((d) => ({ ...d, status: e.status }));
    } else if (e.type === 'pending') bridge.setData((d) => ({ ...d, pending: mergePending(d.pending, [e.pending]) }));
    else if (e.type === 'problem') bridge.setData((d) => ({ ...d, status: { ...d.status, lastProblem: e.problem } }));
  });

  const act = async (what: 'start' | 'stop' | 'restart'): Promise<void> => {
    const method = what === 'start' ? 'startBridge' : what === 'stop' ? 'stopBridge' : 'restartBridge';
    const seen = statusEvents.current;
    const status = await action.run(method, { bridgeId });
    if (status && statusEvents.current === seen) bridge.setData((d) => ({ ...d, status }));
  };

  if (!detail) {
    return (
      <div className="page">
        <header className="page-head">
          <h1>{t('dashboard.title')}</h1>
        </header>
        {bridge.problem ? <ProblemBox problem={bridge.problem} /> : <p className="boot-loading">{t('app.loading')}</p>}
      </div>
    );
  }

  const { status } = detail;
  const running = status.state !== 'stopped';
  // A bridge that stopped on an error can be started again, not only restarted.
  const startable = status.state === 'stopped' || status.state === 'error';
  const subscribed = detail.chats.filter((c) => c.subscribed);

  return (
    <div className="page dashboard">
      <header className="page-head">
        <div>
          <h1>{detail.name}</h1>
          <p className="page-sub">
            <Badge tone={RUN_TONE[status.state]}>{t(`state.run.${status.state}`)}</Badge>
            {status.restart && (
              <span className="hint"> {t('state.restartAt', { time: formatClock(status.restart.at, false), n: status.restart.attempt })}</span>
            )}
          </p>
        </div>
        <div className="page-actions" role="group" aria-label={t('dashboard.title')}>
          <button type="button" className="btn btn-primary" disabled={action.busy || !startable} onClick={() => void act('start')}>
            {t('dashboard.start')}
          </button>
          <button type="button" className="btn" disabled={action.busy || !running} onClick={() => void act('stop')}>
            {t('dashboard.stop')}
          </button>
          <button type="button" className="btn" disabled={action.busy} onClick={() => void act('restart')}>
            {t('dashboard.restart')}
          </button>
        </div>
      </header>
      {action.problem && <ProblemBox problem={action.problem} guide />}
      {detail.sandbox && (
        <div className="callout callout-info sandbox-bridge">
          <p>{t('wizard.sandbox.bridge')}</p>
          <StopSandbox onStopped={refresh} />
        </div>
      )}

      <div className="grid">
        <Card title={t('dashboard.connection')}>
          <dl className="facts">
            <dt>{t('dashboard.dingtalk')}</dt>
            <dd>
              <Badge tone={CONN_TONE[status.dingtalk.status]}>{t(`state.conn.${status.dingtalk.status}`)}</Badge>
              {status.dingtalk.status === 'connected' && status.dingtalk.since !== undefined && (
                <span className="hint"> {t('state.since', { time: formatRelative(status.dingtalk.since, lng, now, t('time.justNow')) })}</span>
              )}
              {status.dingtalk.retryInMs !== undefined && (
                <span className="hint"> {t('state.retryIn', { s: Math.ceil(status.dingtalk.retryInMs / 1000), n: status.dingtalk.attempt ?? 1 })}</span>
              )}
            </dd>
            <dt>{t('dashboard.cccc')}</dt>
            <dd>
              <Badge tone={status.cccc.status === 'up' ? 'ok' : status.cccc.status === 'down' ? 'error' : 'idle'}>
                {t(`state.cccc.${status.cccc.status}`)}
              </Badge>
              {status.cccc.version && <span className="hint"> v{status.cccc.version}</span>}
            </dd>
            <dt>{t('dashboard.secret')}</dt>
            <dd>
              {detail.secretSource === 'env' ? (
                <span>{t('dashboard.secretEnv', { env: detail.secretEnv ?? '' })}</span>
              ) : detail.secretSource !== 'vault' ? (
                <Badge tone="warn">{t(`dashboard.secretKeptBy.${detail.secretSource}`)}</Badge>
              ) : detail.secretSet ? (
                <span>{t('dashboard.secretChanged', { date: detail.secretUpdatedAt ? formatDate(detail.secretUpdatedAt, lng) : t('common.unknown') })}</span>
              ) : (
                <Badge tone="warn">{t('dashboard.secretNotSet')}</Badge>
              )}
              <span className="hint block">{t('dashboard.rotateHint')}</span>
            </dd>
            <dt>{t('dashboard.buttonCards')}</dt>
            <dd data-testid="button-cards">
              {!detail.settings.buttonCards ? (
                <span>{t('dashboard.buttonCardsOff')}</span>
              ) : detail.settings.buttonCardTemplateId ? (
                <span>{t('dashboard.buttonCardsOn', { template: detail.settings.buttonCardTemplateId })}</span>
              ) : (
                <>
                  <span className="hint">{t('dashboard.buttonCardsNotSet')}</span>{' '}
                  <button type="button" className="btn btn-small" onClick={onSetUpButtonCards}>
                    {t('dashboard.buttonCardsSetUp')}
                  </button>
                </>
              )}
            </dd>
          </dl>
          {status.dingtalk.problem && <ProblemBox problem={status.dingtalk.problem} guide compact />}
          {status.cccc.problem && <ProblemBox problem={status.cccc.problem} compact />}
        </Card>

        <Card title={t('dashboard.group')}>
          <p className="group-title">
            {detail.groupTitle ?? detail.groupId} <code className="hint">{detail.groupId}</code>
          </p>
          {detail.groups && (
            <>
              <h3 className="sub-head">{t('dashboard.servedGroups')}</h3>
              <ul className="served-groups" data-testid="served-groups">
                {detail.groups.map((g) => (
                  <li key={g.groupId}>
                    <Badge tone={RUN_TONE[g.state]}>{t(`state.run.${g.state}`)}</Badge> <span className="actor-name">{g.title}</span>{' '}
                    <code className="hint">{g.groupId}</code> <span className="hint">{t('dashboard.groupChats', { count: g.chats })}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3 className="sub-head">{t('dashboard.actors')}</h3>
          {detail.actors.length === 0 ? (
            <p className="empty-inline">{t('dashboard.noActors')}</p>
          ) : (
            <ul className="actors">
              {detail.actors.map((a) => (
                <li key={a.id}>
                  <span aria-hidden="true">{a.running ? '🟢' : '⚪'}</span>
                  <span className="actor-name">{a.title || a.id}</span>
                  <span className="tag">{a.role === 'foreman' ? t('dashboard.foreman') : t('dashboard.peer')}</span>
                  <span className="visually-hidden">{a.running ? t('dashboard.actorRunning') : t('dashboard.actorStopped')}</span>
                  {a.runtime && <span className="hint">{a.runtime}</span>}
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title={t('dashboard.queues')}>
          <dl className="facts facts-numbers">
            <dt>{t('dashboard.outbox')}</dt>
            <dd data-testid="outbox-depth">{status.outboxDepth}</dd>
            <dt>{t('dashboard.inbox')}</dt>
            <dd data-testid="inbox-depth">{status.inboxDepth}</dd>
          </dl>
        </Card>

        <Card title={t('dashboard.lastProblem')}>
          {status.lastProblem ? (
            <>
              <ProblemBox problem={status.lastProblem} guide />
              <button type="button" className="btn btn-small" onClick={onOpenLogs}>
                {t('nav.logs')}
              </button>
            </>
          ) : (
            <p className="empty-inline">✓ {t('dashboard.noProblem')}</p>
          )}
        </Card>

        <ApiUsageCard usage={detail.apiUsage} />

        <Card title={t('dashboard.pending')} className="span-2">
          {detail.pending.length === 0 ? (
            <p className="empty-inline">{t('dashboard.noPending')}</p>
          ) : (
            <PendingList bridgeId={bridgeId} pending={detail.pending} onApproved={refresh} onRejected={refresh} />
          )}
        </Card>

        <Card title={t('dashboard.chats')} className="span-2">
          {detail.unreachableChats > 0 && (
            <p className="hint" role="status">
              {t('dashboard.unreachable', { count: detail.unreachableChats })}
            </p>
          )}
          {subscribed.length === 0 ? (
            <Empty icon="💬" title={t('dashboard.noChats')} />
          ) : (
            <ul className="chats">
              {subscribed.map((c) => (
                <li key={c.chatId} className="chat">
                  <span className="chat-title" title={c.chatId}>
                    {chatLabel(c, t)}
                  </span>
                  <span className="tag">{t(`dashboard.chatType.${c.type}`)}</span>
                  {c.verbose && <span className="tag tag-info">{t('dashboard.verbose')}</span>}
                  {c.paused && <span className="tag tag-warn">{t('dashboard.paused')}</span>}
                  {c.heldCount > 0 && <span className="tag tag-warn">{t('dashboard.held', { count: c.heldCount })}</span>}
                  {c.lastMessageAt !== undefined && (
                    <span className="hint chat-last">{t('dashboard.lastMessage', { time: formatRelative(c.lastMessageAt, lng, now, t('time.justNow')) })}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card title={t('dashboard.traffic')} className="span-2">
          <Traffic records={traffic} empty={t('dashboard.noTraffic')} />
        </Card>
      </div>
    </div>
  );
}
