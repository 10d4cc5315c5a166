/** A card template's id, as the card platform shows it: flagged when it would not be saved (`templateIdOk`). */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { templateIdOk } from '../../../electron/shared/api';
import { Field } from '../ui/Field';

export function TemplateIdField({
  label,
  hint,
  value,
  stored,
  allowEmpty = false,
  onChange,
}: {
  label: ReactNode;
  hint?: ReactNode;
  value: string;
  /** The id as saved: left as it is, it is not checked again. */
  stored: string;
  /** Empty means none. */
  allowEmpty?: boolean;
  onChange: (id: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={label} hint={hint} warn={templateIdOk(value, { allowEmpty, stored }) ? undefined : t('settings.buttonCards.templateInvalid')}>
      {(p) => (
        <input
          {...p}
          type="text"
          className="mono"
          spellCheck={false}
          value={value}
          placeholder="xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema"
          onChange={(e) => onChange(e.target.value.trim())}
        />
      )}
    </Field>
  );
}
