/** One bridge's settings: name, group and app (EditBridge), reply language, files, catch-up, who may command, audit, secret rotation. */
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { bridgeSettingsInputSchema, templateIdOk, type BridgeSettingsView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { currentLanguage } from '../i18n';
import { Card } from '../ui/bits';
import { CONSOLE, ConsoleLabel } from '../ui/ConsoleLabel';
import { cleanPasted, Field } from '../ui/Field';
import { EditBridge } from './EditBridge';
import { LanguageOptions } from '../ui/LanguageOptions';
import { formatDate } from '../ui/format';
import { ProblemBox } from '../ui/Problem';
import { ButtonCardSettings } from './ButtonCardSettings';
import { PeoplePicker } from './PeoplePicker';
import { TemplateIdField } from './TemplateIdField';

export function BridgeSettings({ bridgeId, onChanged, showButtonCards = false }: { bridgeId: string; onChanged: () => void; showButtonCards?: boolean }) {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage(i18n);
  const query = useApiQuery('getBridge', { bridgeId });
  const write = useApiMutation();
  // The form starts from the first answer and is the user's from then on.
  const [form, setForm] = useState<BridgeSettingsView>();
  const [maxFile, setMaxFile] = useState('');
  const [maxChars, setMaxChars] = useState('');
  const [budget, setBudget] = useState('');
  const [saved, setSaved] = useState(false);
  const [secret, setSecret] = useState('');
  const [rotated, setRotated] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const detail = query.data;
  if (detail && !form) {
    setForm(detail.settings);
    setMaxFile(String(detail.settings.maxFileMb));
    setMaxChars(String(detail.settings.maxMessageChars));
    setBudget(detail.settings.monthlyApiBudget === null ? '' : String(detail.settings.monthlyApiBudget));
  }
  const problem = write.problem ?? query.problem;

  if (!detail || !form) {
    return (
      <Card title={t('settings.bridge', { name: bridgeId })}>
        {problem ? <ProblemBox problem={problem} /> : <p className="boot-loading">{t('app.loading')}</p>}
      </Card>
    );
  }

  // As the save checks them: an id left as stored (however odd) is not checked again.
  const stored = detail.settings;
  const templateOk =
    templateIdOk(form.cardTemplateId, { stored: stored.cardTemplateId }) &&
    templateIdOk(form.buttonCardTemplateId, { allowEmpty: true, stored: stored.buttonCardTemplateId });
  const maxFileOk = bridgeSettingsInputSchema.shape.maxFileMb.safeParse(Number(maxFile)).success && maxFile.trim() !== '';
  const maxCharsOk = bridgeSettingsInputSchema.shape.maxMessageChars.safeParse(Number(maxChars)).success && maxChars.trim() !== '';
  // Empty: no budget.
  const budgetValue = budget.trim() === '' ? null : Number(budget);
  const budgetOk = bridgeSettingsInputSchema.shape.monthlyApiBudget.safeParse(budgetValue).success;
  const change = (patch: Partial<BridgeSettingsView>): void => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };
  const allow = form.access.mode === 'allowlist' ? form.access.staffIds : [];

  const save = async (): Promise<void> => {
    if (!maxFileOk || !maxCharsOk || !budgetOk || !templateOk) return;
    // Only the settings: the services keep everything the save leaves out (the secret's source among it).
    const summary = await write.run('saveBridge', {
      id: detail.id,
      settings: { ...form, maxFileMb: Number(maxFile), maxMessageChars: Number(maxChars), monthlyApiBudget: budgetValue },
    });
    if (!summary) return;
    setSaved(true);
    query.setData((d) => ({ ...d, ...summary }));
    onChanged();
  };

  const rotate = async (): Promise<void> => {
    const value = secret.trim();
    if (!value) return;
    setSecret('');
    const summary = await write.run('saveBridge', { id: detail.id, appSecret: value });
    if (!summary) return;
    setRotated(true);
    query.setData((d) => ({ ...d, ...summary }));
  };

  const remove = async (): Promise<void> => {
    if (await write.run('deleteBridge', { bridgeId })) onChanged();
  };

  const radioName = `access-${bridgeId}`;
  const catchName = `catchup-${bridgeId}`;

  return (
    <Card title={t('settings.bridge', { name: detail.name })}>
      {problem && <ProblemBox problem={problem} guide />}
      <EditBridge
        detail={detail}
        onSaved={(summary) => {
          query.setData((d) => ({ ...d, ...summary }));
          onChanged();
        }}
      />
      <h3 className="sub-head">{t('settings.behaviour')}</h3>
      <div className="form-grid">
        <Field label={t('settings.replyLanguage')}>
          {(p) => (
            <select {...p} value={form.replyLanguage} onChange={(e) => change({ replyLanguage: e.target.value === 'en' ? 'en' : 'zh' })}>
              <LanguageOptions />
            </select>
          )}
        </Field>
        <Field label={t('settings.maxFileMb')} warn={maxFileOk ? undefined : '1–1024'}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={1}
              max={1024}
              value={maxFile}
              onChange={(e) => (setMaxFile(e.target.value), setSaved(false))}
            />
          )}
        </Field>
        <Field label={t('settings.maxMessageChars')} hint={t('settings.maxMessageCharsHint')} warn={maxCharsOk ? undefined : '100–100000'}>
          {(p) => (
            <input
              {...p}
              type="number"
              inputMode="numeric"
              min={100}
              max={100000}
              value={maxChars}
              onChange={(e) => (setMaxChars(e.target.value), setSaved(false))}
            />
          )}
        </Field>
        <Field label={t('settings.monthlyApiBudget')} hint={t('settings.monthlyApiBudgetHint')} warn={budgetOk ? undefined : '≥ 1'}>
          {(p) => (
            <input {...p} type="number" inputMode="numeric" min={1} step={1} value={budget} onChange={(e) => (setBudget(e.target.value), setSaved(false))} />
          )}
        </Field>
        <fieldset className="radio-group">
          <legend className="field-label">{t('settings.catchUp')}</legend>
          {(['resume', 'end'] as const).map((c) => (
            <label key={c} className="radio">
              <input type="radio" name={catchName} checked={form.catchUp === c} onChange={() => change({ catchUp: c })} />
              <span>{t(`settings.catchUps.${c}`)}</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="radio-group">
          <legend className="field-label">{t('settings.access')}</legend>
          {(['everyone', 'admins', 'allowlist'] as const).map((m) => (
            <label key={m} className="radio">
              <input
                type="radio"
                name={radioName}
                checked={form.access.mode === m}
                onChange={() => change({ access: m === 'allowlist' ? { mode: 'allowlist', staffIds: allow } : { mode: m } })}
              />
              <span>{t(`settings.accessModes.${m}`)}</span>
            </label>
          ))}
          {form.access.mode === 'allowlist' && (
            <PeoplePicker people={detail.people} chosen={allow} onChange={(staffIds) => change({ access: { mode: 'allowlist', staffIds } })} />
          )}
        </fieldset>
        <label className="check">
          <input type="checkbox" checked={form.auditContent} onChange={(e) => change({ auditContent: e.target.checked })} />
          <span>
            {t('settings.auditContent')}
            <span className="hint"> — {t('settings.auditContentHint')}</span>
          </span>
        </label>
        <label className="check">
          <input type="checkbox" checked={form.thinkingReaction} onChange={(e) => change({ thinkingReaction: e.target.checked })} />
          <span>{t('settings.thinkingReaction')}</span>
        </label>
        <label className="check">
          <input type="checkbox" checked={form.cards} onChange={(e) => change({ cards: e.target.checked })} />
          <span>
            {t('settings.cards')}
            <span className="hint"> — {t('settings.cardsHint')}</span>
          </span>
        </label>
        {form.cards && (
          <TemplateIdField
            label={t('settings.cardTemplateId')}
            value={form.cardTemplateId}
            stored={stored.cardTemplateId}
            onChange={(cardTemplateId) => change({ cardTemplateId })}
          />
        )}
      </div>
      <ButtonCardSettings
        bridgeId={detail.id}
        shown={showButtonCards}
        sandbox={detail.sandbox === true}
        form={form}
        stored={stored.buttonCardTemplateId}
        people={detail.people}
        chats={detail.chats}
        change={change}
      />
      <div className="action-row">
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={!maxFileOk || !maxCharsOk || !budgetOk || !templateOk}>
          {t('common.save')}
        </button>
        <span className="action-note" role="status">
          {saved ? t('common.saved') : ''}
        </span>
      </div>

      <h3 className="sub-head">{t('settings.rotate')}</h3>
      <p className="hint">
        <Trans i18nKey="settings.rotateHint" components={{ page: <ConsoleLabel zh={CONSOLE.credentials[0]} en={CONSOLE.credentials[1]} /> }} />
      </p>
      <p>
        {detail.secretSource === 'env'
          ? t('settings.secretFromEnv', { env: detail.secretEnv ?? '' })
          : detail.secretSource === 'vault'
            ? t('settings.lastChanged', { date: detail.secretUpdatedAt ? formatDate(detail.secretUpdatedAt, lng) : t('common.never') })
            : t(`settings.secretKeptBy.${detail.secretSource}`)}
      </p>
      <div className="rotate-row">
        <Field label={t('settings.newSecret')}>
          {(p) => (
            <input
              {...p}
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              value={secret}
              maxLength={256}
              className="mono"
              onChange={(e) => (setSecret(e.target.value), setRotated(false))}
              onPaste={(e) => {
                e.preventDefault();
                setSecret(cleanPasted(e.clipboardData.getData('text')));
                setRotated(false);
              }}
            />
          )}
        </Field>
        <button type="button" className="btn" onClick={() => void rotate()} disabled={!secret.trim()}>
          {t('settings.rotateButton')}
        </button>
      </div>
      <p className="action-note" role="status">
        {rotated ? t('settings.rotated') : ''}
      </p>

      <div className="danger-zone">
        {confirmDelete ? (
          <div className="confirm" role="alertdialog" aria-labelledby={`del-${bridgeId}`}>
            <p id={`del-${bridgeId}`}>{t('settings.deleteConfirm', { name: detail.name })}</p>
            <div className="action-row">
              <button type="button" className="btn btn-danger" onClick={() => void remove()}>
                {t('settings.deleteYes')}
              </button>
              <button type="button" className="btn" onClick={() => setConfirmDelete(false)} autoFocus>
                {t('common.cancel')}
              </button>
            </div>
          </div>
        ) : (
          <button type="button" className="btn btn-link-danger" onClick={() => setConfirmDelete(true)}>
            {t('settings.deleteBridge')}
          </button>
        )}
      </div>
    </Card>
  );
}
