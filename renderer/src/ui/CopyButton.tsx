import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies `text`; the result is announced (live region) and shown in place without resizing the button. */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <span className="copy">
      <button type="button" className="btn btn-small" onClick={() => void copy()} aria-label={t('common.copyLabel', { what })} data-state={state}>
        <span className="copy-label" aria-hidden="true">
          {state === 'copied' ? `✓ ${t('common.copied')}` : t('common.copy')}
        </span>
      </button>
      <span className="visually-hidden" role="status">
        {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : ''}
      </span>
      {state === 'failed' && <span className="copy-failed">{t('common.copyFailed')}</span>}
    </span>
  );
}

/** A value the user pastes into the DingTalk console, with its copy button. */
export function CopyValue({ value, what, multiline = false }: { value: string; what: string; multiline?: boolean }) {
  return (
    <div className={multiline ? 'copy-value copy-value-multi' : 'copy-value'}>
      <code>{value}</code>
      <CopyButton text={value} what={what} />
    </div>
  );
}
