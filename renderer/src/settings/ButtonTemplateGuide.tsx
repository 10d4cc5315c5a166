/** How to make the button-card template in DingTalk's card platform, step by step, with its variables to copy (docs/dingtalk-protocol.md, "Cards with buttons"). */
import { useTranslation } from 'react-i18next';
import { DINGTALK_CARD_PLATFORM_URL } from '../../../electron/shared/app-info';
import { useDict } from '../i18n';
import { Rich } from '../ui/bits';
import { CopyValue } from '../ui/CopyButton';
import { CopyTable } from '../ui/CopyTable';

const VARIABLES = ['title', 'markdown', 'note', 'buttons', 'version'] as const;
/** The parameters a button with an `action` sends back (the bridge reads both). */
const CALLBACK_PARAMS = ['action', 'version'] as const;

export function ButtonTemplateGuide({ open }: { open: boolean }) {
  const { t } = useTranslation();
  const dict = useDict();
  return (
    <details className="template-guide" open={open}>
      <summary>{t('settings.buttonCards.howTo')}</summary>
      <ol className="guide-steps">
        {dict.settings.buttonCards.steps.map((step) => (
          <li key={step}>
            <Rich text={step} />
          </li>
        ))}
      </ol>
      <p>
        <a className="btn" href={DINGTALK_CARD_PLATFORM_URL} target="_blank" rel="noopener noreferrer">
          {t('settings.buttonCards.openPlatform')} <span aria-hidden="true">↗</span>
        </a>
      </p>
      <p className="field-label">{t('settings.buttonCards.variables')}</p>
      <CopyTable
        head={[t('settings.buttonCards.variable'), t('settings.buttonCards.shows')]}
        rows={VARIABLES.map((v) => ({ value: v, about: t(`settings.buttonCards.vars.${v}`) }))}
      />
      <p className="field-label">{t('settings.buttonCards.callback')}</p>
      {CALLBACK_PARAMS.map((p) => (
        <CopyValue key={p} value={p} what={p} />
      ))}
      <p className="field-label">{t('settings.buttonCards.sample')}</p>
      <CopyValue value={t('settings.buttonCards.sampleButtons')} what={t('settings.buttonCards.sample')} multiline />
    </details>
  );
}
