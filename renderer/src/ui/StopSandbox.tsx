/** "Stop sandbox": ends the sandbox and stops its bridge (the app-wide DingTalk address was never touched). */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiMutation } from '../api/useApiMutation';
import { ProblemBox } from './Problem';

export function StopSandbox({ onStopped }: { onStopped?: () => void }) {
  const { t } = useTranslation();
  const stopping = useApiMutation();
  const [note, setNote] = useState<'stopped' | 'notRunning'>();
  const stop = async (): Promise<void> => {
    const result = await stopping.run('stopSandbox', {});
    if (!result) return;
    setNote(result.stopped ? 'stopped' : 'notRunning');
    onStopped?.();
  };
  return (
    <div className="action-row">
      <button type="button" className="btn" onClick={() => void stop()} disabled={stopping.busy}>
        {t('wizard.sandbox.stop')}
      </button>
      <span className="action-note" role="status">
        {note ? t(`wizard.sandbox.${note}`) : ''}
      </span>
      {stopping.problem && <ProblemBox problem={stopping.problem} compact />}
    </div>
  );
}
