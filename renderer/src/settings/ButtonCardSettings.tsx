/**
 * Buttons on cards (optional): what they are, how to make their template in DingTalk's card
 * platform, its id (checked, and tried with a test card before saving), who may approve a
 * /subscribe from its card.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { templateIdOk, type BridgeSettingsView, type ChatView, type PersonView } from '../../../electron/shared/api';
import { SANDBOX_BUTTON_TEMPLATE } from '../../../electron/shared/app-info';
import { CopyValue } from '../ui/CopyButton';
import { ButtonTemplateGuide } from './ButtonTemplateGuide';
import { PeoplePicker } from './PeoplePicker';
import { TemplateIdField } from './TemplateIdField';
import { TestCard } from './TestCard';

type ButtonCardFields = Pick<BridgeSettingsView, 'buttonCards' | 'buttonCardTemplateId' | 'approvers'>;

export function ButtonCardSettings({
  bridgeId,
  shown,
  sandbox,
  form,
  stored,
  people,
  chats,
  change,
}: {
  bridgeId: string;
  /** Opened from the dashboard to set them up: scrolled to, the guide open. */
  shown: boolean;
  /** The bridge talks to the sandbox: its template is named. */
  sandbox: boolean;
  form: ButtonCardFields;
  /** The template id as saved. */
  stored: string;
  people: PersonView[];
  chats: ChatView[];
  change: (patch: Partial<ButtonCardFields>) => void;
}) {
  const { t } = useTranslation();
  const templateId = form.buttonCardTemplateId;
  const section = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (shown) section.current?.scrollIntoView({ block: 'start' });
  }, [shown]);
  return (
    <fieldset className="button-cards" id={`button-cards-${bridgeId}`} ref={section}>
      <legend>{t('settings.buttonCards.title')}</legend>
      <p className="hint">{t('settings.buttonCards.intro')}</p>
      <label className="check">
        <input type="checkbox" checked={form.buttonCards} onChange={(e) => change({ buttonCards: e.target.checked })} />
        <span>
          {t('settings.buttonCards.enabled')}
          <span className="hint"> — {t('settings.buttonCards.enabledHint')}</span>
        </span>
      </label>
      <ButtonTemplateGuide open={shown} />
      <TemplateIdField
        label={t('settings.buttonCards.template')}
        hint={t('settings.buttonCards.templateHint')}
        value={templateId}
        stored={stored}
        allowEmpty
        onChange={(buttonCardTemplateId) => change({ buttonCardTemplateId })}
      />
      {sandbox && (
        <div className="sandbox-template">
          <p className="hint">{t('settings.buttonCards.sandboxTemplate')}</p>
          <CopyValue value={SANDBOX_BUTTON_TEMPLATE} what={t('settings.buttonCards.template')} />
        </div>
      )}
      {/* A test card needs an id the card platform knows: an odd stored one is not tried. */}
      <TestCard bridgeId={bridgeId} templateId={templateId} valid={templateIdOk(templateId)} chats={chats} />
      <p className="field-label">{t('settings.buttonCards.approvers')}</p>
      <p className="hint">{t('settings.buttonCards.approversHint')}</p>
      <PeoplePicker people={people} chosen={form.approvers} onChange={(approvers) => change({ approvers })} />
    </fieldset>
  );
}
