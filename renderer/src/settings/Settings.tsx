/** Application settings, then each bridge's own. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  appSettingsInputSchema,
  isDingTalkBase,
  isSafeCustomBase,
  type ApiInput,
  type AppSettingsView,
  type BridgeSummary,
  type EndpointName,
  type VaultView,
} from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { Card, Empty } from '../ui/bits';
import { Field } from '../ui/Field';
import { LanguageOptions } from '../ui/LanguageOptions';
import { ProblemBox } from '../ui/Problem';
import { BridgeSettings } from './BridgeSettings';

type AppPatch = ApiInput<'setAppSettings'>;

/** Why an endpoint cannot be saved; the page shows it as `settings.<code>`. */
export type EndpointIssue = 'invalidUrl' | 'notDingTalk' | 'insecureEndpoint';

/** Why an endpoint cannot be saved, or undefined: the services refuse the same. */
export function endpointIssue(v: string, which: EndpointName, custom: boolean): EndpointIssue | undefined {
  const url = v.trim();
  if (url === '') return undefined;
  if (!appSettingsInputSchema.shape.apiBase.safeParse(url).success) return 'invalidUrl';
  if (isDingTalkBase(url, which)) return undefined;
  if (!custom) return 'notDingTalk';
  return isSafeCustomBase(url) ? undefined : 'insecureEndpoint';
}

export function Settings({
  settings,
  vault,
  bridges,
  onSettings,
  onBridgesChanged,
  buttonCardsOf,
}: {
  settings: AppSettingsView;
  vault: VaultView;
  bridges: BridgeSummary[];
  onSettings: (s: AppSettingsView) => void;
  onBridgesChanged: () => void;
  /** Opened to set up this bridge's buttons on cards: that section is shown, its guide open. */
  buttonCardsOf?: string;
}) {
  const { t } = useTranslation();
  const saving = useApiMutation();
  const [apiBase, setApiBase] = useState(settings.apiBase ?? '');
  const [oapiBase, setOapiBase] = useState(settings.oapiBase ?? '');
  const [advancedNote, setAdvancedNote] = useState(false);
  // Custom endpoint mode: the AppSecret of one bridge is typed again with the new address.
  const [custom, setCustom] = useState(settings.customEndpointSince !== undefined);
  const [customBridge, setCustomBridge] = useState(bridges[0]?.id ?? '');
  const [customSecret, setCustomSecret] = useState('');
  const apiIssue = endpointIssue(apiBase, 'apiBase', custom);
  const oapiIssue = endpointIssue(oapiBase, 'oapiBase', custom);
  const changed = (v: string, was: string | undefined): boolean => v.trim() !== '' && v.trim() !== (was ?? '');
  const needsSecret =
    custom &&
    [[apiBase, settings.apiBase, 'apiBase'] as const, [oapiBase, settings.oapiBase, 'oapiBase'] as const].some(
      ([v, was, k]) => changed(v, was) && !isDingTalkBase(v.trim(), k),
    );
  const advancedOk = !apiIssue && !oapiIssue && (!needsSecret || (customBridge !== '' && customSecret.trim() !== ''));

  const update = async (patch: AppPatch): Promise<boolean> => {
    // Shown at once (a radio or a box that does not move on click feels broken), undone if refused.
    const optimistic: AppSettingsView = { ...settings };
    for (const [k, v] of Object.entries(patch) as [keyof AppSettingsView, unknown][]) {
      if (v === null) delete optimistic[k];
      else Object.assign(optimistic, { [k]: v });
    }
    onSettings(optimistic);
    const saved = await saving.run('setAppSettings', patch);
    onSettings(saved ?? settings);
    return saved !== undefined;
  };

  const saveAdvanced = async (): Promise<void> => {
    if (!advancedOk) return;
    const saved = await update({
      apiBase: apiBase.trim() || null,
      oapiBase: oapiBase.trim() || null,
      ...(needsSecret ? { customEndpoint: { bridgeId: customBridge, appSecret: customSecret.trim() } } : {}),
    });
    if (saved) setCustomSecret('');
    setAdvancedNote(saved);
  };

  return (
    <div className="page settings">
      <header className="page-head">
        <h1>{t('settings.title')}</h1>
      </header>
      {saving.problem && <ProblemBox problem={saving.problem} />}

      {(vault.backend === 'basic_text' || vault.backend === 'unavailable') && (
        <div className="callout callout-warn" role="alert">
          <p className="callout-title">{vault.backend === 'basic_text' ? t('settings.vault.basicTitle') : t('settings.vault.unavailable')}</p>
          {vault.backend === 'basic_text' && <p>{t('settings.vault.basicBody')}</p>}
          <label className="check">
            <input type="checkbox" checked={settings.envSecretMode} onChange={(e) => void update({ envSecretMode: e.target.checked })} />
            <span>
              {t('settings.vault.envMode')}
              <span className="hint"> — {t('settings.vault.envModeHint')}</span>
            </span>
          </label>
        </div>
      )}

      <Card title={t('settings.app')}>
        <div className="form-grid">
          <Field label={t('settings.language')}>
            {(p) => (
              <select
                {...p}
                value={settings.language ?? ''}
                onChange={(e) => void update({ language: e.target.value === 'zh' || e.target.value === 'en' ? e.target.value : null })}
              >
                <option value="">{t('settings.languageSystem')}</option>
                <LanguageOptions />
              </select>
            )}
          </Field>
          <fieldset className="radio-group">
            <legend className="field-label">{t('settings.theme')}</legend>
            {(['system', 'light', 'dark'] as const).map((th) => (
              <label key={th} className="radio">
                <input type="radio" name="theme" value={th} checked={settings.theme === th} onChange={() => void update({ theme: th })} />
                <span>{t(`settings.themes.${th}`)}</span>
              </label>
            ))}
          </fieldset>
          <label className="check">
            <input type="checkbox" checked={settings.launchAtLogin} onChange={(e) => void update({ launchAtLogin: e.target.checked })} />
            <span>{t('settings.launchAtLogin')}</span>
          </label>
          {vault.backend !== 'basic_text' && vault.backend !== 'unavailable' && settings.envSecretMode && (
            <label className="check">
              <input type="checkbox" checked={settings.envSecretMode} onChange={(e) => void update({ envSecretMode: e.target.checked })} />
              <span>{t('settings.vault.envMode')}</span>
            </label>
          )}
        </div>
        <details className="advanced">
          <summary>{t('settings.advanced')}</summary>
          <p className="hint">{t('settings.baseHint')}</p>
          <div className="form-grid">
            <Field label={t('settings.apiBase')} warn={apiIssue && t(`settings.${apiIssue}`, { url: 'https://api.dingtalk.com' })}>
              {(p) => (
                <input
                  {...p}
                  type="url"
                  value={apiBase}
                  placeholder="https://api.dingtalk.com"
                  onChange={(e) => (setApiBase(e.target.value), setAdvancedNote(false))}
                  className="mono"
                />
              )}
            </Field>
            <Field label={t('settings.oapiBase')} warn={oapiIssue && t(`settings.${oapiIssue}`, { url: 'https://oapi.dingtalk.com' })}>
              {(p) => (
                <input
                  {...p}
                  type="url"
                  value={oapiBase}
                  placeholder="https://oapi.dingtalk.com"
                  onChange={(e) => (setOapiBase(e.target.value), setAdvancedNote(false))}
                  className="mono"
                />
              )}
            </Field>
            <label className="check">
              <input type="checkbox" checked={custom} onChange={(e) => (setCustom(e.target.checked), setAdvancedNote(false))} />
              <span>
                {t('settings.customEndpoint')}
                <span className="hint"> — {t('settings.customEndpointHint')}</span>
              </span>
            </label>
            {needsSecret && (
              <>
                <Field label={t('settings.customBridge')}>
                  {(p) => (
                    <select {...p} value={customBridge} onChange={(e) => setCustomBridge(e.target.value)}>
                      {bridges.map((b) => (
                        <option key={b.id} value={b.id}>
                          {b.name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={t('settings.customSecret')} warn={bridges.length === 0 ? t('settings.customNoBridge') : undefined}>
                  {(p) => <input {...p} type="password" value={customSecret} autoComplete="off" onChange={(e) => setCustomSecret(e.target.value)} />}
                </Field>
              </>
            )}
          </div>
          <div className="action-row">
            <button type="button" className="btn" onClick={() => void saveAdvanced()} disabled={!advancedOk}>
              {t('common.save')}
            </button>
            <span className="action-note" role="status">
              {advancedNote ? t('common.saved') : ''}
            </span>
          </div>
        </details>
      </Card>

      {bridges.length === 0 ? (
        <Empty icon="🔌" title={t('settings.noBridge')} />
      ) : (
        bridges.map((b) => <BridgeSettings key={b.id} bridgeId={b.id} onChanged={onBridgesChanged} showButtonCards={b.id === buttonCardsOf} />)
      )}
    </div>
  );
}
