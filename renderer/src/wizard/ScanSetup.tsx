/**
 * The wizard's first choice: one scan with DingTalk creates the robot app (docs/dingtalk-protocol.md
 * §11). Shows DingTalk's QR code, follows the scan, then the live checks of what a scan cannot set
 * up. Any other ending is said plainly, and the manual steps below carry on as always.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScanView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { currentLanguage } from '../i18n';
import { ProblemBox } from '../ui/Problem';
import { formatDateTime } from '../ui/format';
import { OpenConsole } from './InfoSteps';
import { CheckRow } from './StepCredentials';

const POLL_MS = 1_000;

/** What the wizard takes from a successful scan: the Client ID, and the scan whose stored secret the bridge gets. */
export interface Scanned {
  appKey: string;
  /** Absent when the secret could not be kept here (env-var mode). */
  scanId?: string;
}

function Checks({ view }: { view: ScanView }) {
  const { t } = useTranslation();
  const checks = view.checks;
  if (!checks) return <p role="status">{t('wizard.scan.checking')}</p>;
  const failed = [checks.token, checks.permissions, checks.stream].some((c) => c?.state === 'failed');
  return (
    <div className="test-results scan-checks">
      <h3 className="sub-head">{t('wizard.scan.checksTitle')}</h3>
      <CheckRow label={t('wizard.credentials.testToken')} check={checks.token} />
      {checks.permissions && <CheckRow label={t('wizard.credentials.testPermissions')} check={checks.permissions} />}
      <CheckRow label={t('wizard.credentials.testStream')} check={checks.stream} />
      <p className="note">{t('wizard.scan.filesNote')}</p>
      {failed && <p>{t('wizard.scan.fix')}</p>}
      <OpenConsole />
    </div>
  );
}

export function ScanSetup({ onCreated }: { onCreated: (scanned: Scanned) => void }) {
  const { t, i18n } = useTranslation();
  const starting = useApiMutation();
  const cancelling = useApiMutation();
  // The latest view of the scan: from starting or cancelling it, then from following it.
  const [view, setView] = useState<ScanView>();
  const scanId = view?.scanId;
  const open = view?.state === 'waiting' || (view?.state === 'success' && !view.checks);
  // Followed while something can still change: the scan, then its checks.
  const follow = useApiQuery('scanStatus', { scanId: scanId ?? '' }, { enabled: open, everyMs: POLL_MS });
  const latest = follow.data;
  if (latest && latest.scanId === scanId && (latest.state !== view?.state || Boolean(latest.checks) !== Boolean(view?.checks))) setView(latest);

  const start = async (): Promise<void> => {
    const next = await starting.run('startScan', {});
    if (next) setView(next);
  };
  const cancel = async (): Promise<void> => {
    if (!scanId) return;
    const next = await cancelling.run('cancelScan', { scanId });
    if (next) setView(next);
  };

  const again = (
    <button type="button" className="btn" onClick={() => void start()} disabled={starting.busy}>
      {starting.busy ? t('wizard.scan.starting') : t('wizard.scan.again')}
    </button>
  );

  return (
    <div className="callout callout-info scan-setup" data-scan={view?.state ?? 'idle'}>
      <p className="callout-title">{t('wizard.scan.title')}</p>
      {(!view || view.state === 'cancelled') && (
        <>
          <p>{t('wizard.scan.body')}</p>
          {view?.state === 'cancelled' && <p role="status">{t('wizard.scan.cancelled')}</p>}
          <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={starting.busy}>
            {starting.busy ? t('wizard.scan.starting') : t('wizard.scan.start')}
          </button>
        </>
      )}
      {view?.state === 'waiting' && (
        <div className="scan-waiting">
          {view.qr && <img className="scan-qr" src={view.qr} alt={t('wizard.scan.qrAlt')} width={220} height={220} />}
          <div>
            <p role="status">{t('wizard.scan.waiting')}</p>
            {view.userCode && (
              <p>
                {t('wizard.scan.code')}: <code className="scan-code">{view.userCode}</code>
              </p>
            )}
            {view.verificationUrl && (
              <p>
                <a href={view.verificationUrl} target="_blank" rel="noopener noreferrer">
                  {t('wizard.scan.openPage')}
                </a>
              </p>
            )}
            {view.expiresAt && <p className="note">{t('wizard.scan.validUntil', { time: formatDateTime(view.expiresAt, currentLanguage(i18n)) })}</p>}
            <button type="button" className="btn" onClick={() => void cancel()} disabled={cancelling.busy}>
              {t('wizard.scan.cancel')}
            </button>
          </div>
        </div>
      )}
      {view?.state === 'success' && view.appKey && (
        <>
          <p className="scan-created" role="status">
            ✓ {t('wizard.scan.created', { appKey: view.appKey })}
          </p>
          <p>{view.secret === 'stored' ? t('wizard.scan.secretStored') : t('wizard.scan.secretNotStored')}</p>
          <Checks view={view} />
          <div className="action-row">
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => onCreated({ appKey: view.appKey!, ...(view.secret === 'stored' ? { scanId: view.scanId } : {}) })}
            >
              {t('wizard.scan.continue')}
            </button>
          </div>
        </>
      )}
      {view && ['refused', 'failed', 'expired', 'error'].includes(view.state) && (
        <div className="scan-ended" role="alert">
          <p>
            <strong>{t(`wizard.scan.${view.state as 'refused' | 'failed' | 'expired' | 'error'}`)}</strong> {t('wizard.scan.manual')}
          </p>
          {view.problem && <ProblemBox problem={view.problem} compact />}
          {view.state !== 'refused' && again}
        </div>
      )}
      {(starting.problem ?? cancelling.problem ?? follow.problem) && (
        <ProblemBox problem={(starting.problem ?? cancelling.problem ?? follow.problem)!} compact />
      )}
    </div>
  );
}
