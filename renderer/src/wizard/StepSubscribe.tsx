/** Step 6: start the bridge, wait for /subscribe from DingTalk, approve it, see a message go both ways. */
import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { BridgeStatusView, PendingView } from '../../../electron/shared/api';
import { useApiEvents } from '../api/context';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { Badge, RUN_TONE } from '../ui/bits';
import { CONSOLE, ConsolePath } from '../ui/ConsoleLabel';
import { chatName, mergePending, PendingList } from '../ui/Pending';
import { ProblemBox } from '../ui/Problem';
import { Traffic } from '../ui/Traffic';

const AUDIT_POLL_MS = 2_000;

export function StepSubscribe({ bridgeId, onDone, onBack }: { bridgeId: string; onDone: () => void; onBack: () => void }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<BridgeStatusView>();
  const [pending, setPending] = useState<PendingView[]>([]);
  const [approved, setApproved] = useState<{ chatId: string; title: string }>();
  const [rejected, setRejected] = useState(false);
  // Pushed statuses are the newest: a call's answer that arrives after one of them is stale.
  const statusEvents = useRef(0);

  // Read what is already waiting, then start the bridge (restart a running one: the credentials may be new).
  const before = useApiQuery('getBridge', { bridgeId });
  const [seenBefore, setSeenBefore] = useState(false);
  if (before.data && !seenBefore) {
    setSeenBefore(true);
    setPending((p) => mergePending(p, before.data?.pending ?? []));
  }
  const start = useApiMutation();
  const run = start.run;
  const startedFor = useRef<string>(undefined);
  useEffect(() => {
    if (before.loading || startedFor.current === bridgeId) return;
    startedFor.current = bridgeId;
    const state = before.data?.status.state;
    const idle = state === undefined || state === 'stopped' || state === 'error';
    const seen = statusEvents.current;
    void run(idle ? 'startBridge' : 'restartBridge', { bridgeId }).then((started) => {
      if (started && statusEvents.current === seen) setStatus(started);
    });
  }, [before.loading, before.data, bridgeId, run]);

  useApiEvents((e) => {
    if (e.type === 'bridge-status' && e.bridgeId === bridgeId) {
      statusEvents.current += 1;
      setStatus(e.status);
    }
    if (e.type === 'pending' && e.bridgeId === bridgeId) setPending((p) => mergePending(p, [e.pending]));
  });

  // After the approval, show the chat's traffic so the user sees a message go both ways.
  const audit = useApiQuery('audit', { bridgeId, chatId: approved?.chatId ?? '', limit: 10 }, { enabled: approved !== undefined, everyMs: AUDIT_POLL_MS });
  const traffic = audit.data ?? [];

  const problem = start.problem ?? status?.dingtalk.problem ?? status?.lastProblem;
  const connected = status?.dingtalk.status === 'connected';

  return (
    <div className="step">
      <p className="lead">{t('wizard.subscribe.lead')}</p>
      <ol className="numbered">
        <li>
          <Trans i18nKey="wizard.subscribe.group" components={{ path: <ConsolePath steps={[CONSOLE.groupSettings, CONSOLE.robot, CONSOLE.addRobot]} /> }} />
        </li>
        <li>{t('wizard.subscribe.single')}</li>
        <li>
          <Trans i18nKey="wizard.subscribe.send" components={{ cmd: <code>/subscribe</code> }} />
        </li>
      </ol>

      <div className="subscribe-status">
        <Badge tone={status ? RUN_TONE[status.state] : 'busy'}>
          {status
            ? `${t(`state.run.${status.state}`)} · ${t('dashboard.dingtalk')}: ${t(`state.conn.${status.dingtalk.status}`)}`
            : t('wizard.subscribe.starting')}
        </Badge>
      </div>
      {problem && <ProblemBox problem={problem} guide />}

      {approved ? (
        <div className="callout callout-ok" role="status">
          <p className="callout-title">✓ {t('wizard.subscribe.approved', { chat: approved.title })}</p>
          <p>{t('wizard.subscribe.tryIt')}</p>
          <h3 className="sub-head">{t('wizard.subscribe.traffic')}</h3>
          <Traffic records={traffic} empty={t('dashboard.noTraffic')} />
        </div>
      ) : pending.length === 0 ? (
        <div className="waiting" role="status" aria-live="polite">
          {connected && <span className="spinner" aria-hidden="true" />}
          <div>
            <p className="waiting-title">{connected ? t('wizard.subscribe.waiting') : t('wizard.subscribe.starting')}</p>
            <p className="hint">{t('wizard.subscribe.waitingHint')}</p>
          </div>
        </div>
      ) : null}
      {!approved && rejected && pending.length === 0 && <p role="status">{t('wizard.subscribe.rejected')}</p>}

      {!approved && (
        <PendingList
          bridgeId={bridgeId}
          pending={pending}
          onApproved={(p) => {
            setPending((all) => all.filter((x) => x.key !== p.key));
            setApproved({ chatId: p.chatId, title: chatName(p, t) });
          }}
          onRejected={(p) => {
            setPending((all) => all.filter((x) => x.key !== p.key));
            setRejected(true);
          }}
        />
      )}

      <div className="wizard-nav">
        <button type="button" className="btn" onClick={onBack}>
          {t('common.back')}
        </button>
        <button type="button" className={approved ? 'btn btn-primary' : 'btn'} onClick={onDone}>
          {approved ? t('wizard.subscribe.finish') : t('wizard.subscribe.skip')}
        </button>
      </div>
    </div>
  );
}
