/** This month's DingTalk API calls: how many, the forecast, the budget and what it does to cards. */
import { useTranslation } from 'react-i18next';
import type { ApiUsageView } from '../../../electron/shared/api';
import { currentLanguage } from '../i18n';
import { Card } from '../ui/bits';
import { formatNumber } from '../ui/format';

export function ApiUsageCard({ usage }: { usage: ApiUsageView }) {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage(i18n);
  const n = (x: number): string => formatNumber(x, lng);
  const used = usage.budget ? usage.calls / usage.budget : undefined;
  return (
    <Card title={t('apiUsage.title')} className="span-2 api-usage">
      <dl className="facts-numbers api-usage-facts">
        <div>
          <dt>{t('apiUsage.calls', { month: usage.month })}</dt>
          <dd data-testid="api-calls">{n(usage.calls)}</dd>
        </div>
        <div>
          <dt>{t('apiUsage.forecast')}</dt>
          <dd data-testid="api-forecast">≈ {n(usage.forecast)}</dd>
        </div>
        <div>
          <dt>{t('apiUsage.budget')}</dt>
          <dd data-testid="api-budget">
            {usage.budget ? n(usage.budget) : t('apiUsage.noBudget')}
            {used !== undefined && <span className="hint"> {t('apiUsage.budgetUsed', { percent: Math.floor(used * 100) })}</span>}
          </dd>
        </div>
      </dl>
      {used !== undefined && (
        // The browser's colours follow the steps: good below 80 % (`low`), a warning from there, bad at the budget.
        <meter className="api-usage-meter" min={0} max={1} low={0.8} high={0.999} optimum={0} value={Math.min(used, 1)} aria-label={t('apiUsage.meter')} />
      )}
      {usage.allowance !== 'full' && (
        <p className="callout callout-warn" role="status">
          {t(`apiUsage.allowance.${usage.allowance}`)}
        </p>
      )}
      <p className="hint">{t('apiUsage.forecastHint', { days: usage.daysElapsed, total: usage.daysInMonth })}</p>
      {usage.byApi.length > 0 && (
        <details className="api-usage-apis">
          <summary>{t('apiUsage.byApi')}</summary>
          <ul className="plain-list">
            {usage.byApi.map((a) => (
              <li key={a.api}>
                <code>{a.api}</code> <span className="hint">{n(a.calls)}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </Card>
  );
}
