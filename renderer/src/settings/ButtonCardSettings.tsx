/** Cards with buttons: on or off, the DingTalk template they are made from, who may approve /subscribe from its card. */
import { useTranslation } from 'react-i18next';
import type { BridgeSettingsView, PersonView } from '../../../electron/shared/api';
import { PeoplePicker } from './PeoplePicker';

type ButtonCardFields = Pick<BridgeSettingsView, 'buttonCards' | 'buttonCardTemplateId' | 'approvers'>;

export function ButtonCardSettings({
  form,
  people,
  change,
}: {
  form: ButtonCardFields;
  people: PersonView[];
  change: (patch: Partial<ButtonCardFields>) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="button-cards">
      <legend>{t('settings.buttonCards.title')}</legend>
      <label className="check">
        <input type="checkbox" checked={form.buttonCards} onChange={(e) => change({ buttonCards: e.target.checked })} />
        <span>
          {t('settings.buttonCards.enabled')}
          <span className="hint"> — {t('settings.buttonCards.enabledHint')}</span>
        </span>
      </label>
      <label className="field">
        <span className="field-label">{t('settings.buttonCards.template')}</span>
        <input
          type="text"
          value={form.buttonCardTemplateId}
          placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema"
          onChange={(e) => change({ buttonCardTemplateId: e.target.value.trim() })}
        />
        <span className="hint">{t('settings.buttonCards.templateHint')}</span>
      </label>
      <p className="field-label">{t('settings.buttonCards.approvers')}</p>
      <p className="hint">{t('settings.buttonCards.approversHint')}</p>
      <PeoplePicker people={people} chosen={form.approvers} onChange={(approvers) => change({ approvers })} />
    </fieldset>
  );
}
