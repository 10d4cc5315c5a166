/**
 * Buttons on cards (optional): what they are, how to make their template in DingTalk's card
 * platform, its id (checked, and tried with a test card before saving), who may approve a
 * /subscribe from its card.
 */
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { cardTemplateIdSchema, type BridgeSettingsView, type ChatView, type PersonView } from '../../../electron/shared/api';
import { SANDBOX_BUTTON_TEMPLATE } from '../../../electron/shared/app-info';
import { CopyValue } from '../ui/CopyButton';
import { Field } from '../ui/Field';
import { ButtonTemplateGuide } from './ButtonTemplateGuide';
import { PeoplePicker } from './PeoplePicker';
import { TestCard } from './TestCard';

type ButtonCardFields = Pick<BridgeSettingsView, 'buttonCards' | 'buttonCardTemplateId' | 'approvers'>;

/** Empty (no template: plain replies) or an id as the card platform shows it. */
export function buttonTemplateOk(id: string): boolean {
  return id === '' || cardTemplateIdSchema.safeParse(id).success;
}

export function ButtonCardSettings({
  bridgeId,
  shown,
  sandbox,
  form,
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
  people: PersonView[];
  chats: ChatView[];
  change: (patch: Partial<ButtonCardFields>) => void;
}) {
  const { t } = useTranslation();
  const templateId = form.buttonCardTemplateId.trim();
  const valid = buttonTemplateOk(templateId);
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
      <Field
        label={t('settings.buttonCards.template')}
        hint={t('settings.buttonCards.templateHint')}
        warn={valid ? undefined : t('settings.buttonCards.templateInvalid')}
      >
        {(p) => (
          <input
            {...p}
            type="text"
            className="mono"
            spellCheck={false}
            value={form.buttonCardTemplateId}
            placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema"
            onChange={(e) => change({ buttonCardTemplateId: e.target.value.trim() })}
          />
        )}
      </Field>
      {sandbox && (
        <div className="sandbox-template">
          <p className="hint">{t('settings.buttonCards.sandboxTemplate')}</p>
          <CopyValue value={SANDBOX_BUTTON_TEMPLATE} what={t('settings.buttonCards.template')} />
        </div>
      )}
      <TestCard bridgeId={bridgeId} templateId={templateId} valid={valid} chats={chats} />
      <p className="field-label">{t('settings.buttonCards.approvers')}</p>
      <p className="hint">{t('settings.buttonCards.approversHint')}</p>
      <PeoplePicker people={people} chosen={form.approvers} onChange={(approvers) => change({ approvers })} />
    </fieldset>
  );
}
