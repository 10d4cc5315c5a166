import { useTranslation } from 'react-i18next';
import type { ProblemView } from '../../../electron/shared/api';
import { currentLanguage, useDict } from '../i18n';
import { Rich } from './bits';
import type { Dictionary } from '../i18n/en';

type Section = keyof Omit<Dictionary['troubleshoot'], 'title'>;

/** Which part of the guide's Troubleshooting applies to a problem code. */
export function troubleshootingFor(code: string): Section[] {
  switch (code) {
    case 'dingtalk.invalid_credentials':
    case 'dingtalk.token_invalid':
      return ['invalidAppkey'];
    case 'dingtalk.no_permission':
    case 'dingtalk.invalid_user':
      return ['noPermission'];
    case 'dingtalk.stream_rejected':
    case 'dingtalk.stream_refused':
      return ['notResponding'];
    case 'dingtalk.stream_timeout':
      return ['notResponding', 'connectionDrops'];
    case 'dingtalk.network':
    case 'dingtalk.connection_lost':
    case 'dingtalk.server_error':
      return ['connectionDrops'];
    default:
      return [];
  }
}

/**
 * The user's words for a problem. The services write in English, with specifics (variable
 * names, commands) in the hint: English keeps them. Chinese uses the translation by code when
 * there is one. The client's own problems (`ui.*`) always come from the dictionary.
 */
export function useProblemText(problem: ProblemView): { message: string; hint?: string } {
  const { i18n } = useTranslation();
  const dict = useDict();
  const known = (dict.problems as Record<string, { message: string; hint: string } | undefined>)[problem.code];
  const own = problem.code.startsWith('ui.');
  if (known && (own || currentLanguage(i18n) === 'zh')) return { message: known.message, hint: known.hint };
  const hint = problem.hint ?? known?.hint;
  return hint ? { message: problem.message, hint } : { message: problem.message };
}

function missingScopes(problem: ProblemView): string[] {
  const scopes = problem.details?.['requiredScopes'];
  return Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
}

/** A problem with its hint and, where the guide has one, its troubleshooting steps. Never a stack. */
export function ProblemBox({ problem, guide = false, compact = false }: { problem: ProblemView; guide?: boolean; compact?: boolean }) {
  const { t } = useTranslation();
  const dict = useDict();
  const { message, hint } = useProblemText(problem);
  const sections = guide ? troubleshootingFor(problem.code) : [];
  const scopes = missingScopes(problem);
  return (
    <div className={compact ? 'problem problem-compact' : 'problem'} data-code={problem.code}>
      <p className="problem-message">
        <span aria-hidden="true">⚠ </span>
        <Rich text={message} />
      </p>
      {problem.message !== message && !problem.code.startsWith('ui.') && (
        <p className="problem-original" lang="en">
          {problem.message}
        </p>
      )}
      {hint && (
        <p className="problem-hint">
          <strong>{t('common.whatToDo')}: </strong>
          <Rich text={hint} />
        </p>
      )}
      {scopes.length > 0 && (
        <ul className="problem-scopes">
          {scopes.map((s) => (
            <li key={s}>
              <code>{s}</code>
            </li>
          ))}
        </ul>
      )}
      {sections.length > 0 && (
        <div className="guide">
          <p className="guide-title">{t('troubleshoot.title')}</p>
          {sections.map((s) => (
            <div key={s} className="guide-section">
              <p className="guide-section-title">{dict.troubleshoot[s].title}</p>
              <ol>
                {dict.troubleshoot[s].steps.map((step) => (
                  <li key={step}>{step}</li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
