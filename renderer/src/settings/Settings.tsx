/** Application settings, then each bridge's own. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { appSettingsInputSchema, type ApiInput, type AppSettingsView, type BridgeSummary, type ProblemView, type VaultView } from '../../../electron/shared/api';
import { useApi } from '../api/context';
import { Card, Empty } from '../ui/bits';
import { Field } from '../ui/Field';
import { LanguageOptions } from '../ui/LanguageOptions';
import { ProblemBox } from '../ui/Problem';
import { BridgeSettings } from './BridgeSettings';

type AppPatch = ApiInput<'setAppSettings'>;

function urlOk(v: string): boolean {
  return v === '' || appSettingsInputSchema.shape.apiBase.safeParse(v).success;
}

export function Settings({
  settings,
  vault,
  bridges,
  onSettings,
  onBridgesChanged,
}: {
  settings: AppSettingsView;
  vault: VaultView;
  bridges: BridgeSummary[];
  onSettings: (s: AppSettingsView) => void;
  onBridgesChanged: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const [problem, setProblem] = useState<ProblemView>();
  const [apiBase, setApiBase] = useState(settings.apiBase ?? '');
  const [oapiBase, setOapiBase] = useState(settings.oapiBase ?? '');
  const [advancedNote, setAdvancedNote] = useState(false);

  const update = async (patch: AppPatch): Promise<boolean> => {
    setProblem(undefined);
    // Shown at once (a radio or a box that does not move on click feels broken), undone if refused.
    const optimistic: AppSettingsView = { ...settings };
    for (const [k, v] of Object.entries(patch) as [keyof AppSettingsView, unknown][]) {
      if (v === null) delete optimistic[k];
      else Object.assign(optimistic, { [k]: v });
    }
    onSettings(optimistic);
    const res = await api.call('setAppSettings', patch);
    if (!res.ok) {
      onSettings(settings);
      setProblem(res.problem);
      return false;
    }
    onSettings(res.result);
    return true;
  };

  const saveAdvanced = async (): Promise<void> => {
    if (!urlOk(apiBase) || !urlOk(oapiBase)) return;
    setAdvancedNote(await update({ apiBase: apiBase.trim() || null, oapiBase: oapiBase.trim() || null }));
  };

  return (
    <div className="page settings">
      <header className="page-head">
        <h1>{t('settings.title')}</h1>
      </header>
      {problem && <ProblemBox problem={problem} />}

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
              <select {...p} value={settings.language ?? ''} onChange={(e) => void update({ language: e.target.value === 'zh' || e.target.value === 'en' ? e.target.value : null })}>
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
            <Field label={t('settings.apiBase')} warn={urlOk(apiBase) ? undefined : t('settings.invalidUrl')}>
              {(p) => <input {...p} type="url" value={apiBase} placeholder="https://api.dingtalk.com" onChange={(e) => (setApiBase(e.target.value), setAdvancedNote(false))} className="mono" />}
            </Field>
            <Field label={t('settings.oapiBase')} warn={urlOk(oapiBase) ? undefined : t('settings.invalidUrl')}>
              {(p) => <input {...p} type="url" value={oapiBase} placeholder="https://oapi.dingtalk.com" onChange={(e) => (setOapiBase(e.target.value), setAdvancedNote(false))} className="mono" />}
            </Field>
          </div>
          <div className="action-row">
            <button type="button" className="btn" onClick={() => void saveAdvanced()} disabled={!urlOk(apiBase) || !urlOk(oapiBase)}>
              {t('common.save')}
            </button>
            <span className="action-note" role="status">
              {advancedNote ? t('common.saved') : ''}
            </span>
          </div>
        </details>
      </Card>

      {bridges.length === 0 ? <Empty icon="🔌" title={t('settings.noBridge')} /> : bridges.map((b) => <BridgeSettings key={b.id} bridgeId={b.id} onChanged={onBridgesChanged} />)}
    </div>
  );
}
