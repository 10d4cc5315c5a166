/** Step 5: credentials, the CCCC group, and a live test (token + Stream connection). */
import { useEffect, useMemo, useState, type ClipboardEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import {
  bridgeInputSchema,
  type BridgeInput,
  type CcccView,
  type CheckView,
  type CredentialTestView,
  type GroupView,
  type ProblemView,
} from '../../../electron/shared/api';
import { useApi } from '../api/context';
import { Badge, Rich } from '../ui/bits';
import { CONSOLE, ConsoleLabel } from '../ui/ConsoleLabel';
import { cleanPasted, Field } from '../ui/Field';
import { ProblemBox } from '../ui/Problem';

export interface Draft {
  name: string;
  groupId: string;
  ccccHome: string | undefined;
  appKey: string;
  /** What the user typed; sent once on save, never read back. */
  appSecret: string;
  robotCode: string;
  /** Read the secret from this environment variable instead. */
  secretEnv: string | undefined;
}

const DEFAULT_SECRET_ENV = 'DINGTALK_APP_SECRET';

export function appKeyWarning(value: string, t: (k: 'wizard.credentials.spaces' | 'wizard.credentials.appKeyNoDing') => string): string | undefined {
  if (!value) return undefined;
  if (/\s/.test(value.trim())) return t('wizard.credentials.spaces');
  if (!/^ding/i.test(value.trim())) return t('wizard.credentials.appKeyNoDing');
  return undefined;
}

function CcccState({ view, onRefresh }: { view: CcccView | ProblemView | undefined; onRefresh: () => void }) {
  const { t } = useTranslation();
  const refresh = (
    <button type="button" className="btn btn-small" onClick={onRefresh}>
      {t('common.refresh')}
    </button>
  );
  if (!view) return <p className="cccc-state">{t('wizard.credentials.ccccChecking')}</p>;
  if (!('status' in view))
    return (
      <div className="cccc-state">
        <ProblemBox problem={view} compact />
        {refresh}
      </div>
    );
  if (view.status === 'running')
    return (
      <p className="cccc-state">
        <Badge tone="ok">{t('wizard.credentials.ccccRunning', { version: view.version ?? '' })}</Badge>
      </p>
    );
  const notInstalled = view.status === 'not_installed';
  return (
    <div className="callout callout-warn cccc-state" role="alert">
      <p className="callout-title">{notInstalled ? t('wizard.credentials.ccccNotInstalled') : t('wizard.credentials.ccccNotRunning')}</p>
      <p>
        <Rich text={notInstalled ? t('wizard.credentials.ccccNotInstalledBody') : t('wizard.credentials.ccccNotRunningBody', { home: view.home })} />
      </p>
      {view.problem && <ProblemBox problem={view.problem} compact />}
      {refresh}
    </div>
  );
}

function describeIm(im: NonNullable<GroupView['im']>): string {
  const parts: string[] = [];
  if (im.appKey) parts.push(`Client ID ${im.appKey}`);
  else if (im.appKeyEnv) parts.push(`Client ID ← $${im.appKeyEnv}`);
  if (im.appSecretEnv) parts.push(`Client Secret ← $${im.appSecretEnv}`);
  if (im.robotCode) parts.push(`RobotCode ${im.robotCode}`);
  else if (im.robotCodeEnv) parts.push(`RobotCode ← $${im.robotCodeEnv}`);
  return parts.join(', ');
}

function CheckRow({ label, check }: { label: string; check: CheckView }) {
  const { t } = useTranslation();
  const tone = check.state === 'ok' ? 'ok' : check.state === 'failed' ? 'error' : 'idle';
  const word =
    check.state === 'ok'
      ? t('wizard.credentials.checkOk')
      : check.state === 'failed'
        ? t('wizard.credentials.checkFailed')
        : t('wizard.credentials.checkSkipped');
  return (
    <div className="check-row" data-check={check.state}>
      <div className="check-row-head">
        <span className="check-row-label">{label}</span>
        <Badge tone={tone}>{word}</Badge>
      </div>
      {check.problem && <ProblemBox problem={check.problem} guide />}
    </div>
  );
}

export function StepCredentials({
  draft,
  onDraft,
  bridgeId,
  envMode,
  onSaved,
  onBridgeId,
  onBack,
}: {
  draft: Draft;
  onDraft: (d: Draft) => void;
  bridgeId: string | undefined;
  envMode: boolean;
  onSaved: (bridgeId: string) => void;
  onBridgeId: (bridgeId: string) => void;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [cccc, setCccc] = useState<CcccView | ProblemView>();
  const [showSecret, setShowSecret] = useState(false);
  const [pasted, setPasted] = useState<'appKey' | 'appSecret' | 'robotCode'>();
  const [imported, setImported] = useState(false);
  const [test, setTest] = useState<CredentialTestView | ProblemView>();
  const [busy, setBusy] = useState<'test' | 'save'>();
  const [saveProblem, setSaveProblem] = useState<ProblemView>();
  const [tried, setTried] = useState(false);
  const secretEnv = draft.secretEnv ?? (envMode ? DEFAULT_SECRET_ENV : undefined);

  const [ccccAttempt, setCcccAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    void api.call('cccc', draft.ccccHome ? { ccccHome: draft.ccccHome } : {}).then((res) => {
      if (live) setCccc(res.ok ? res.result : res.problem);
    });
    return () => {
      live = false;
    };
  }, [api, draft.ccccHome, ccccAttempt]);
  const reloadCccc = (): void => {
    setCccc(undefined);
    setCcccAttempt((n) => n + 1);
  };

  const groups = useMemo(() => (cccc && 'groups' in cccc ? cccc.groups : []), [cccc]);
  const group = groups.find((g) => g.groupId === draft.groupId);
  // One group: nothing to choose.
  useEffect(() => {
    const only = groups.length === 1 ? groups[0] : undefined;
    if (only && !draft.groupId) onDraft({ ...draft, groupId: only.groupId, name: draft.name || only.title });
  }, [groups, draft, onDraft]);

  const set = (patch: Partial<Draft>): void => {
    onDraft({ ...draft, ...patch });
    setTest(undefined);
  };
  const paste = (field: 'appKey' | 'appSecret' | 'robotCode') => (e: ClipboardEvent<HTMLInputElement>) => {
    const text = e.clipboardData.getData('text');
    const clean = cleanPasted(text);
    if (clean === text) return;
    e.preventDefault();
    set({ [field]: clean });
    setPasted(field);
  };
  const importIm = (): void => {
    const im = group?.im;
    if (!im) return;
    set({
      appKey: im.appKey ?? draft.appKey,
      robotCode: im.robotCode ?? draft.robotCode,
      ...(im.appSecretEnv ? { secretEnv: im.appSecretEnv, appSecret: '' } : {}),
    });
    setImported(true);
  };

  const envOk = bridgeInputSchema.shape.secretEnv.safeParse(secretEnv).success;
  const missing = !envOk
    ? t('wizard.credentials.secretEnvInvalid')
    : !draft.groupId
      ? t('wizard.credentials.needGroup')
      : !draft.appKey.trim()
        ? t('wizard.credentials.needKey')
        : !draft.appSecret.trim() && !secretEnv && !bridgeId
          ? t('wizard.credentials.needSecret')
          : undefined;

  const input = (): BridgeInput => {
    const b: BridgeInput = { name: draft.name.trim() || group?.title || draft.groupId, groupId: draft.groupId, appKey: draft.appKey.trim(), autoStart: true };
    if (bridgeId) b.id = bridgeId;
    if (draft.ccccHome) b.ccccHome = draft.ccccHome;
    if (draft.robotCode.trim()) b.robotCode = draft.robotCode.trim();
    if (draft.appSecret.trim()) b.appSecret = draft.appSecret.trim();
    else if (secretEnv) b.secretEnv = secretEnv;
    return b;
  };

  const save = async (): Promise<string | undefined> => {
    const res = await api.call('saveBridge', input());
    if (!res.ok) {
      setSaveProblem(res.problem);
      return undefined;
    }
    setSaveProblem(undefined);
    onBridgeId(res.result.id);
    return res.result.id;
  };

  const runTest = async (): Promise<void> => {
    setTried(true);
    if (missing && missing !== t('wizard.credentials.needGroup')) return;
    setBusy('test');
    setTest(undefined);
    try {
      const secret = draft.appSecret.trim();
      let res;
      if (secret) {
        res = await api.call('testCredentials', {
          appKey: draft.appKey.trim(),
          appSecret: secret,
          ...(draft.robotCode.trim() ? { robotCode: draft.robotCode.trim() } : {}),
        });
      } else {
        // The secret lives in main (vault or environment): test the saved bridge.
        const id = bridgeId ?? (draft.groupId ? await save() : undefined);
        if (!id) return;
        res = await api.call('testCredentials', { bridgeId: id });
      }
      setTest(res.ok ? res.result : res.problem);
    } finally {
      setBusy(undefined);
    }
  };

  const saveAndContinue = async (): Promise<void> => {
    setTried(true);
    if (missing) return;
    setBusy('save');
    try {
      const id = await save();
      if (id) onSaved(id);
    } finally {
      setBusy(undefined);
    }
  };

  const keyWarn = appKeyWarning(draft.appKey, t);
  const secretWarn = draft.appSecret && /\s/.test(draft.appSecret.trim()) ? t('wizard.credentials.spaces') : undefined;

  return (
    <div className="step">
      <p className="lead">{t('wizard.credentials.lead')}</p>

      <h3 className="sub-head">{t('wizard.credentials.group')}</h3>
      <CcccState view={cccc} onRefresh={reloadCccc} />
      {cccc && 'groups' in cccc && cccc.status === 'running' && (
        <>
          {groups.length === 0 ? (
            <p className="callout">
              <Rich text={t('wizard.credentials.noGroups')} />
            </p>
          ) : (
            <Field label={t('wizard.credentials.groupSelect')} warn={tried && !draft.groupId ? t('wizard.credentials.needGroup') : undefined}>
              {(p) => (
                <select
                  {...p}
                  value={draft.groupId}
                  onChange={(e) => set({ groupId: e.target.value, name: draft.name || (groups.find((g) => g.groupId === e.target.value)?.title ?? '') })}
                >
                  <option value="">{t('wizard.credentials.groupPlaceholder')}</option>
                  {groups.map((g) => (
                    <option key={g.groupId} value={g.groupId}>
                      {g.title} — {g.groupId} ({g.running ? t('wizard.credentials.groupRunning') : t('wizard.credentials.groupStopped')})
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
          {group?.im && (group.im.appKey || group.im.appKeyEnv || group.im.appSecretEnv || group.im.robotCode) && (
            <div className="callout callout-info">
              <p className="callout-title">{t('wizard.credentials.importTitle')}</p>
              <p>{t('wizard.credentials.importBody', { what: describeIm(group.im) })}</p>
              {group.im.enabled && (
                <p className="warn-text">
                  <Rich text={t('wizard.credentials.importOwnBridge', { group: group.groupId })} />
                </p>
              )}
              <div className="action-row">
                <button type="button" className="btn" onClick={importIm}>
                  {t('wizard.credentials.importButton')}
                </button>
                <span role="status" className="action-note">
                  {imported ? t('wizard.credentials.imported') : ''}
                </span>
              </div>
            </div>
          )}
        </>
      )}

      <h3 className="sub-head">{t('wizard.credentials.appHeading')}</h3>
      <p>
        <Trans i18nKey="wizard.credentials.where" components={{ page: <ConsoleLabel zh={CONSOLE.credentials[0]} en={CONSOLE.credentials[1]} /> }} />
      </p>
      <div className="form-grid">
        <Field label={t('wizard.credentials.name')} hint={t('wizard.credentials.nameHint')}>
          {(p) => (
            <input {...p} type="text" value={draft.name} maxLength={80} onChange={(e) => set({ name: e.target.value })} placeholder={group?.title ?? ''} />
          )}
        </Field>
        <Field
          label={t('wizard.credentials.appKey')}
          hint={pasted === 'appKey' ? t('wizard.credentials.pasted') : t('wizard.credentials.appKeyHint')}
          warn={keyWarn ?? (tried && !draft.appKey.trim() ? t('wizard.credentials.needKey') : undefined)}
        >
          {(p) => (
            <input
              {...p}
              type="text"
              value={draft.appKey}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
              onChange={(e) => set({ appKey: e.target.value })}
              onPaste={paste('appKey')}
              className="mono"
            />
          )}
        </Field>
        {draft.secretEnv !== undefined || (envMode && !draft.appSecret) ? (
          <Field
            label={t('wizard.credentials.secretEnvLabel')}
            hint={<Rich text={t('wizard.credentials.secretFromEnv', { env: `\`${secretEnv ?? ''}\`` })} />}
            warn={envOk ? undefined : t('wizard.credentials.secretEnvInvalid')}
          >
            {(p) => (
              <div className="secret-input">
                <input
                  {...p}
                  type="text"
                  value={secretEnv ?? ''}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={128}
                  className="mono"
                  onChange={(e) => set({ secretEnv: e.target.value.toUpperCase() })}
                />
                {!envMode && (
                  <button type="button" className="btn btn-small" onClick={() => set({ secretEnv: undefined })}>
                    {t('wizard.credentials.useTypedSecret')}
                  </button>
                )}
              </div>
            )}
          </Field>
        ) : (
          <Field
            label={t('wizard.credentials.appSecret')}
            hint={
              pasted === 'appSecret' ? t('wizard.credentials.pasted') : bridgeId ? t('wizard.credentials.secretStored') : t('wizard.credentials.appSecretHint')
            }
            warn={secretWarn ?? (tried && missing === t('wizard.credentials.needSecret') ? missing : undefined)}
          >
            {(p) => (
              <div className="secret-input">
                <input
                  {...p}
                  type={showSecret ? 'text' : 'password'}
                  value={draft.appSecret}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={256}
                  onChange={(e) => set({ appSecret: e.target.value })}
                  onPaste={paste('appSecret')}
                  className="mono"
                />
                <button type="button" className="btn btn-small" aria-pressed={showSecret} onClick={() => setShowSecret(!showSecret)}>
                  {showSecret ? t('common.hide') : t('common.show')}
                </button>
              </div>
            )}
          </Field>
        )}
        <Field
          label={t('wizard.credentials.robotCode')}
          optional={t('common.optional')}
          hint={pasted === 'robotCode' ? t('wizard.credentials.pasted') : t('wizard.credentials.robotCodeHint')}
        >
          {(p) => (
            <input
              {...p}
              type="text"
              value={draft.robotCode}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
              onChange={(e) => set({ robotCode: e.target.value })}
              onPaste={paste('robotCode')}
              placeholder={draft.appKey}
              className="mono"
            />
          )}
        </Field>
      </div>

      <div className="action-row">
        <button type="button" className="btn" onClick={() => void runTest()} disabled={busy !== undefined} aria-describedby="test-status">
          {busy === 'test' ? t('wizard.credentials.testing') : t('wizard.credentials.test')}
        </button>
        <span id="test-status" className="action-note" role="status">
          {test && 'token' in test && test.token.state === 'ok' && test.stream.state === 'ok' && test.permissions?.state !== 'failed'
            ? t('wizard.credentials.testAllOk')
            : ''}
        </span>
      </div>
      <div className="test-results" aria-live="polite">
        {test &&
          ('token' in test ? (
            <>
              <CheckRow label={t('wizard.credentials.testToken')} check={test.token} />
              {test.permissions && <CheckRow label={t('wizard.credentials.testPermissions')} check={test.permissions} />}
              <CheckRow label={t('wizard.credentials.testStream')} check={test.stream} />
            </>
          ) : (
            <ProblemBox problem={test} guide />
          ))}
      </div>
      {saveProblem && <ProblemBox problem={saveProblem} guide />}

      <div className="wizard-nav">
        <button type="button" className="btn" onClick={onBack}>
          {t('common.back')}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void saveAndContinue()} disabled={busy !== undefined}>
          {busy === 'save' ? t('common.saving') : t('wizard.credentials.saveAndContinue')}
        </button>
      </div>
    </div>
  );
}
