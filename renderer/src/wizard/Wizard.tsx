/** The setup wizard: the guide's steps 1–6, each with the console labels in 中文 and English. */
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppSettingsView, SandboxView, VaultView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { CopyValue } from '../ui/CopyButton';
import { ProblemBox } from '../ui/Problem';
import { StopSandbox } from '../ui/StopSandbox';
import { StepCreate, StepPermissions, StepPublish, StepRobot } from './InfoSteps';
import { ScanSetup, type Scanned } from './ScanSetup';
import { StepCredentials, type Draft } from './StepCredentials';
import { StepSubscribe } from './StepSubscribe';

/** Values an entry point may fill in ahead (the sandbox's "try it first" uses this). */
export interface WizardPrefill {
  name?: string;
  groupId?: string;
  ccccHome?: string;
  appKey?: string;
  appSecret?: string;
  robotCode?: string;
  /** Open at this step (0-based); e.g. the sandbox needs no console steps. */
  step?: number;
}

const STEPS = ['create', 'permissions', 'robot', 'publish', 'credentials', 'subscribe'] as const;
const CREDENTIALS = 4;
const SUBSCRIBE = 5;

/** "Try it in the sandbox first": starts the sandbox and hands its credentials to the wizard. */
function TrySandbox({ onStarted }: { onStarted: (sandbox: SandboxView) => void }) {
  const { t } = useTranslation();
  const starting = useApiMutation();
  const start = async (): Promise<void> => {
    const sandbox = await starting.run('startSandbox', {});
    if (sandbox) onStarted(sandbox);
  };
  return (
    <div className="callout callout-info sandbox-try">
      <p className="callout-title">{t('wizard.sandbox.title')}</p>
      <p>{t('wizard.sandbox.body')}</p>
      <button type="button" className="btn" onClick={() => void start()} disabled={starting.busy}>
        {starting.busy ? t('wizard.sandbox.starting') : t('wizard.sandbox.try')}
      </button>
      {starting.problem && <ProblemBox problem={starting.problem} compact />}
    </div>
  );
}

/** Where to chat as a made-up person. A plain link: the desktop app opens only DingTalk's own sites, so it can be copied too. */
function SandboxChat({ sandbox, onStopped }: { sandbox: SandboxView; onStopped: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="callout callout-info sandbox-chat" role="status">
      <p className="callout-title">{t('wizard.sandbox.running')}</p>
      <p>
        {t('wizard.sandbox.chat')}{' '}
        <a href={sandbox.chatUrl} target="_blank" rel="noopener noreferrer">
          {t('wizard.sandbox.openChat')}
        </a>
      </p>
      <CopyValue value={sandbox.chatUrl} what={t('wizard.sandbox.chatUrl')} />
      <StopSandbox onStopped={onStopped} />
    </div>
  );
}

export function Wizard({
  prefill,
  appSettings,
  vault,
  onDone,
}: {
  prefill?: WizardPrefill;
  appSettings: AppSettingsView;
  /** How a typed secret is kept: the wizard says "stored encrypted" only when it is. */
  vault?: VaultView;
  onDone: (bridgeId: string) => void;
}) {
  const { t } = useTranslation();
  const [step, setStep] = useState(() => Math.min(Math.max(prefill?.step ?? 0, 0), CREDENTIALS));
  const [bridgeId, setBridgeId] = useState<string>();
  const emptyDraft = (): Draft => ({
    name: prefill?.name ?? '',
    groupId: prefill?.groupId ?? '',
    ccccHome: prefill?.ccccHome,
    appKey: prefill?.appKey ?? '',
    appSecret: prefill?.appSecret ?? '',
    robotCode: prefill?.robotCode ?? '',
    secretEnv: undefined,
  });
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [cards, setCards] = useState(false);
  const [sandbox, setSandbox] = useState<SandboxView>();
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Moving between steps puts focus on the new step's title, for keyboard and screen-reader users.
  const goTo = (i: number): void => {
    setStep(i);
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  const adoptSandbox = (sb: SandboxView): void => {
    setSandbox(sb);
    setDraft((d) => ({
      ...d,
      name: d.name || t('wizard.sandbox.name'),
      appKey: sb.appKey,
      appSecret: sb.appSecret,
      robotCode: sb.robotCode,
      secretEnv: undefined,
      scanId: undefined,
      ...(sb.groupId ? { groupId: sb.groupId, ccccHome: sb.ccccHome } : {}),
    }));
    // The sandbox app needs no console steps: straight to the credentials.
    goTo(CREDENTIALS);
  };

  // One scan did steps 1–4: on to the credentials, the Client ID filled, the secret stored with the scan.
  const adoptScan = (scanned: Scanned): void => {
    setDraft((d) => ({ ...d, appKey: scanned.appKey, appSecret: '', robotCode: '', secretEnv: undefined, scanId: scanned.scanId }));
    goTo(CREDENTIALS);
  };

  // Stopped from here: its credentials are of no use any more, so the wizard starts over.
  const dropSandbox = (): void => {
    setSandbox(undefined);
    setDraft(emptyDraft());
    setBridgeId(undefined);
    goTo(0);
  };

  const reachable = (i: number): boolean => i <= CREDENTIALS || bridgeId !== undefined;
  const name = STEPS[step] ?? 'create';

  return (
    <div className="wizard">
      <header className="page-head">
        <h1>{t('wizard.title')}</h1>
      </header>
      <nav aria-label={t('wizard.progress')}>
        <ol className="stepper">
          {STEPS.map((s, i) => (
            <li key={s} className={i < step ? 'done' : i === step ? 'current' : undefined}>
              <button type="button" onClick={() => goTo(i)} disabled={!reachable(i)} aria-current={i === step ? 'step' : undefined}>
                <span className="stepper-num" aria-hidden="true">
                  {i < step ? '✓' : i + 1}
                </span>
                <span className="stepper-label">{t(`wizard.steps.${s}`)}</span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <section className="wizard-body" aria-labelledby="wizard-step-title">
        <p className="step-count">{t('wizard.stepOf', { n: step + 1, total: STEPS.length })}</p>
        <h2 id="wizard-step-title" ref={headingRef} tabIndex={-1}>
          {t(`wizard.steps.${name}`)}
        </h2>
        {sandbox && <SandboxChat sandbox={sandbox} onStopped={dropSandbox} />}
        {name === 'create' && !sandbox && <ScanSetup onCreated={adoptScan} />}
        {name === 'create' && !sandbox && <TrySandbox onStarted={adoptSandbox} />}
        {name === 'create' && !sandbox && <h3 className="sub-head">{t('wizard.scan.manualHeading')}</h3>}
        {name === 'create' && <StepCreate />}
        {name === 'permissions' && <StepPermissions cards={cards} onCards={setCards} />}
        {name === 'robot' && <StepRobot />}
        {name === 'publish' && <StepPublish />}
        {name === 'credentials' && (
          <StepCredentials
            draft={draft}
            onDraft={setDraft}
            bridgeId={bridgeId}
            envMode={appSettings.envSecretMode}
            encrypted={vault?.encrypted ?? false}
            onSaved={(id) => {
              setBridgeId(id);
              goTo(SUBSCRIBE);
            }}
            onBridgeId={setBridgeId}
            onBack={() => goTo(CREDENTIALS - 1)}
          />
        )}
        {name === 'subscribe' && bridgeId && <StepSubscribe bridgeId={bridgeId} onDone={() => onDone(bridgeId)} onBack={() => goTo(CREDENTIALS)} />}
        {step < CREDENTIALS && (
          <div className="wizard-nav">
            <button type="button" className="btn" onClick={() => goTo(step - 1)} disabled={step === 0}>
              {t('common.back')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => goTo(step + 1)}>
              {t('common.next')}
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
