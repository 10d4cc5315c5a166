/** Step 5: credentials, the CCCC group, and a live test (token + Stream connection). */
import { useEffect, useMemo, useState, type ClipboardEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { type BridgeInput, type CcccView, type CheckView, type CredentialTestView, type GroupView, type ProblemView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { Badge, Rich } from '../ui/bits';
import { CONSOLE, ConsoleLabel } from '../ui/ConsoleLabel';
import { cleanPasted, Field } from '../ui/Field';
import { takenBy } from '../ui/groupTaken';
import { ProblemBox } from '../ui/Problem';
import { appKeyIssue, draftGap, secretEnvValid, secretIssue } from './credentialChecks';

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
  /** The app came from one scan: its secret is stored with the scan until the bridge is saved. */
  scanId?: string | undefined;
}

const DEFAULT_SECRET_ENV = 'DINGTALK_APP_SECRET';

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

export function CheckRow({ label, check }: { label: string; check: CheckView }) {
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
  encrypted,
  onSaved,
  onBridgeId,
  onBack,
}: {
  draft: Draft;
  onDraft: (d: Draft) => void;
  bridgeId: string | undefined;
  envMode: boolean;
  /** Whether a typed secret is stored encrypted (the vault), to say so only then. */
  encrypted: boolean;
  onSaved: (bridgeId: string) => void;
  onBridgeId: (bridgeId: string) => void;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const [showSecret, setShowSecret] = useState(false);
  const [pasted, setPasted] = useState<'appKey' | 'appSecret' | 'robotCode'>();
  const [imported, setImported] = useState(false);
  const [test, setTest] = useState<CredentialTestView>();
  const tester = useApiMutation();
  const saving = useApiMutation();
  // The user's action under way (a test may save first), for the buttons' words.
  const [busy, setBusy] = useState<'test' | 'save'>();
  const [tried, setTried] = useState(false);
  const secretEnv = draft.secretEnv ?? (envMode ? DEFAULT_SECRET_ENV : undefined);

  const ccccQuery = useApiQuery('cccc', draft.ccccHome ? { ccccHome: draft.ccccHome } : {});
  const cccc = ccccQuery.data ?? ccccQuery.problem;

  const groups = useMemo(() => (cccc && 'groups' in cccc ? cccc.groups : []), [cccc]);
  const group = groups.find((g) => g.groupId === draft.groupId);
  const taken = group && takenBy(group, bridgeId);
  // One group: nothing to choose.
  useEffect(() => {
    const only = groups.length === 1 ? groups[0] : undefined;
    if (only && !draft.groupId && !takenBy(only, bridgeId)) onDraft({ ...draft, groupId: only.groupId, name: draft.name || only.title });
  }, [groups, draft, onDraft, bridgeId]);

  const set = (patch: Partial<Draft>): void => {
    onDraft({ ...draft, ...patch });
    setTest(undefined);
    tester.clear();
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

  const envOk = secretEnvValid(secretEnv);
  const missing = draftGap(draft, secretEnv, bridgeId !== undefined);

  const input = (): BridgeInput => {
    const b: BridgeInput = { name: draft.name.trim() || group?.title || draft.groupId, groupId: draft.groupId, appKey: draft.appKey.trim(), autoStart: true };
    if (bridgeId) b.id = bridgeId;
    if (draft.ccccHome) b.ccccHome = draft.ccccHome;
    if (draft.robotCode.trim()) b.robotCode = draft.robotCode.trim();
    if (draft.appSecret.trim()) b.appSecret = draft.appSecret.trim();
    // Once saved, the bridge has the scan's secret.
    else if (draft.scanId && !bridgeId) b.scanId = draft.scanId;
    else if (secretEnv) b.secretEnv = secretEnv;
    return b;
  };

  const save = async (): Promise<string | undefined> => {
    const saved = await saving.run('saveBridge', input());
    if (saved) onBridgeId(saved.id);
    return saved?.id;
  };

  const runTest = async (): Promise<void> => {
    setTried(true);
    // Typed credentials can be tested before a group is chosen.
    if (missing && missing !== 'needGroup') return;
    setBusy('test');
    setTest(undefined);
    tester.clear();
    try {
      const secret = draft.appSecret.trim();
      let result;
      if (secret) {
        result = await tester.run('testCredentials', {
          appKey: draft.appKey.trim(),
          appSecret: secret,
          ...(draft.robotCode.trim() ? { robotCode: draft.robotCode.trim() } : {}),
        });
      } else {
        // The secret lives in main (vault or environment): test the saved bridge.
        const id = bridgeId ?? (draft.groupId ? await save() : undefined);
        if (!id) return;
        result = await tester.run('testCredentials', { bridgeId: id });
      }
      setTest(result);
    } finally {
      setBusy(undefined);
    }
  };

  const saveAndContinue = async (): Promise<void> => {
    setTried(true);
    if (missing || taken) return;
    setBusy('save');
    try {
      const id = await save();
      if (id) onSaved(id);
    } finally {
      setBusy(undefined);
    }
  };

  const keyIssue = appKeyIssue(draft.appKey);
  const secretProblem = secretIssue(draft.appSecret);

  return (
    <div className="step">
      <p className="lead">{t('wizard.credentials.lead')}</p>

      <h3 className="sub-head">{t('wizard.credentials.group')}</h3>
      <CcccState view={cccc} onRefresh={() => ccccQuery.refetch({ clear: true })} />
      {cccc && 'groups' in cccc && cccc.status === 'running' && (
        <>
          {groups.length === 0 ? (
            <p className="callout">
              <Rich text={t('wizard.credentials.noGroups')} />
            </p>
          ) : (
            <Field
              label={t('wizard.credentials.groupSelect')}
              warn={taken ? t('wizard.credentials.groupTakenWarn', { name: taken }) : tried && !draft.groupId ? t('wizard.credentials.needGroup') : undefined}
            >
              {(p) => (
                <select
                  {...p}
                  value={draft.groupId}
                  onChange={(e) => set({ groupId: e.target.value, name: draft.name || (groups.find((g) => g.groupId === e.target.value)?.title ?? '') })}
                >
                  <option value="">{t('wizard.credentials.groupPlaceholder')}</option>
                  {groups.map((g) => {
                    const by = takenBy(g, bridgeId);
                    return (
                      <option key={g.groupId} value={g.groupId} disabled={by !== undefined}>
                        {g.title} — {g.groupId} ({g.running ? t('wizard.credentials.groupRunning') : t('wizard.credentials.groupStopped')}
                        {by ? `, ${t('wizard.credentials.groupTaken', { name: by })}` : ''})
                      </option>
                    );
                  })}
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
          warn={keyIssue ? t(`wizard.credentials.${keyIssue}`) : tried && !draft.appKey.trim() ? t('wizard.credentials.needKey') : undefined}
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
              pasted === 'appSecret'
                ? t('wizard.credentials.pasted')
                : bridgeId
                  ? t('wizard.credentials.secretStored')
                  : draft.scanId
                    ? t('wizard.credentials.secretFromScan')
                    : encrypted
                      ? t('wizard.credentials.appSecretHint')
                      : t('wizard.credentials.appSecretHintPlain')
            }
            warn={secretProblem ? t(`wizard.credentials.${secretProblem}`) : tried && missing === 'needSecret' ? t('wizard.credentials.needSecret') : undefined}
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
          {test && test.token.state === 'ok' && test.stream.state === 'ok' && test.permissions?.state !== 'failed' && test.cards?.state !== 'failed'
            ? t('wizard.credentials.testAllOk')
            : ''}
        </span>
      </div>
      <div className="test-results" aria-live="polite">
        {test && (
          <>
            <CheckRow label={t('wizard.credentials.testToken')} check={test.token} />
            {test.permissions && <CheckRow label={t('wizard.credentials.testPermissions')} check={test.permissions} />}
            {test.cards && test.cards.state !== 'skipped' && <CheckRow label={t('wizard.credentials.testCards')} check={test.cards} />}
            <CheckRow label={t('wizard.credentials.testStream')} check={test.stream} />
          </>
        )}
        {tester.problem && <ProblemBox problem={tester.problem} guide />}
      </div>
      {saving.problem && <ProblemBox problem={saving.problem} guide />}

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
