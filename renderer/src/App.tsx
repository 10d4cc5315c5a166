/** The shell: loads bridges and app settings, applies language and theme, and shows one view. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultView } from '../../electron/shared/api';
import { useApi, useApiEvents } from './api/context';
import { useApiQuery } from './api/useApiQuery';
import type { StreamState } from './api/transports';
import { Dashboard } from './dashboard/Dashboard';
import { htmlLang, resolveLanguage, systemLanguages } from './i18n';
import { Logs } from './logs/Logs';
import { Settings } from './settings/Settings';
import { resolveTheme, useSystemDark } from './theme';
import { Badge, Empty, RUN_TONE } from './ui/bits';
import { ProblemBox } from './ui/Problem';
import { Wizard, type WizardPrefill } from './wizard/Wizard';

export type View =
  { name: 'dashboard'; bridgeId?: string } | { name: 'wizard'; prefill?: WizardPrefill } | { name: 'logs' } | { name: 'settings'; buttonCardsOf?: string };

/**
 * `initialView` is the seam for entries that open the app somewhere specific — e.g. the
 * sandbox's "try it first", which opens the wizard with its values prefilled.
 */
export function App({ initialView }: { initialView?: View }) {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const bridgesQuery = useApiQuery('listBridges', {}, { refetchOn: (e) => e.type === 'bridges-changed' });
  const settingsQuery = useApiQuery('getAppSettings', {});
  const vaultQuery = useApiQuery('vault', {});
  const [view, setView] = useState<View | undefined>(initialView);
  const [stream, setStream] = useState<StreamState>('open');
  const systemDark = useSystemDark();
  const mainRef = useRef<HTMLElement>(null);

  const bridges = bridgesQuery.data;
  const settings = settingsQuery.data;
  // Without a vault answer the warning is simply not shown; everything else works.
  const vault: VaultView | undefined = vaultQuery.data ?? (vaultQuery.problem ? { backend: 'os', encrypted: true } : undefined);
  const problem = bridgesQuery.problem ?? settingsQuery.problem;
  // First run opens the wizard, and it stays open while it creates the bridge.
  if (view === undefined && bridges && settings && vault) setView(bridges.length === 0 ? { name: 'wizard' } : { name: 'dashboard' });

  useEffect(() => api.onStreamState(setStream), [api]);

  const go = (v: View): void => {
    setView(v);
    // Keyboard and screen-reader users land on the new content, not on the menu.
    requestAnimationFrame(() => mainRef.current?.focus());
  };

  useApiEvents((e) => {
    if (e.type === 'bridge-status') bridgesQuery.setData((bs) => bs.map((b) => (b.id === e.bridgeId ? { ...b, status: e.status } : b)));
    else if (e.type === 'app-settings') settingsQuery.setData(() => e.settings);
    else if (e.type === 'navigate') go({ name: e.view });
  });

  // Language and theme follow the settings (absent language: the OS).
  const language = resolveLanguage(settings?.language, systemLanguages());
  const theme = resolveTheme(settings?.theme ?? 'system', systemDark);
  useEffect(() => {
    if (i18n.language !== language) void i18n.changeLanguage(language);
    document.documentElement.lang = htmlLang(language);
    document.title = t('app.title');
  }, [i18n, language, t]);
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);

  if (!bridges || !settings || !vault) {
    const retry = (): void => [bridgesQuery, settingsQuery, vaultQuery].forEach((q) => q.refetch({ clear: true }));
    return (
      <div className="boot" aria-busy={!problem}>
        {problem ? (
          <div className="boot-problem" role="alert">
            <h1>{t('app.loadFailed')}</h1>
            <ProblemBox problem={problem} />
            <button type="button" className="btn btn-primary" onClick={retry}>
              {t('app.retry')}
            </button>
          </div>
        ) : (
          <p className="boot-loading">{t('app.loading')}</p>
        )}
      </div>
    );
  }

  const current: View = view ?? { name: 'dashboard' };
  const activeBridge = current.name === 'dashboard' ? (current.bridgeId ?? bridges[0]?.id) : undefined;

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => (e.preventDefault(), mainRef.current?.focus())}>
        {t('app.skip')}
      </a>
      <aside className="sidebar">
        <div className="sidebar-inner">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              C³
            </span>
            <span className="brand-text">
              <span className="brand-name">{t('app.title')}</span>
              <span className="brand-tagline">{t('app.tagline')}</span>
            </span>
          </div>
          <nav aria-label={t('nav.main')}>
            <p className="nav-heading">{t('nav.bridges')}</p>
            {bridges.length === 0 ? (
              <p className="nav-empty">{t('nav.noBridges')}</p>
            ) : (
              <ul className="nav-list">
                {bridges.map((b) => (
                  <li key={b.id}>
                    <button
                      type="button"
                      className="nav-item"
                      aria-current={activeBridge === b.id ? 'page' : undefined}
                      onClick={() => go({ name: 'dashboard', bridgeId: b.id })}
                    >
                      <span className="nav-item-name">{b.name}</span>
                      <Badge tone={RUN_TONE[b.status.state]}>{t(`state.run.${b.status.state}`)}</Badge>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <button
              type="button"
              className="nav-item nav-add"
              aria-current={current.name === 'wizard' ? 'page' : undefined}
              onClick={() => go({ name: 'wizard' })}
            >
              <span aria-hidden="true">＋ </span>
              {t('nav.addBridge')}
            </button>
            <ul className="nav-list nav-bottom">
              <li>
                <button type="button" className="nav-item" aria-current={current.name === 'logs' ? 'page' : undefined} onClick={() => go({ name: 'logs' })}>
                  {t('nav.logs')}
                </button>
              </li>
              <li>
                <button
                  type="button"
                  className="nav-item"
                  aria-current={current.name === 'settings' ? 'page' : undefined}
                  onClick={() => go({ name: 'settings' })}
                >
                  {t('nav.settings')}
                </button>
              </li>
            </ul>
          </nav>
        </div>
      </aside>
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        <div className="stream-banner" role="status" data-visible={stream !== 'open'}>
          {stream !== 'open' ? t('app.streamDown') : ''}
        </div>
        {current.name === 'wizard' && (
          <Wizard
            key={JSON.stringify(current.prefill ?? {})}
            prefill={current.prefill}
            appSettings={settings}
            vault={vault}
            onDone={(bridgeId) => {
              bridgesQuery.refetch();
              go({ name: 'dashboard', bridgeId });
            }}
          />
        )}
        {current.name === 'dashboard' &&
          (activeBridge ? (
            <Dashboard
              key={activeBridge}
              bridgeId={activeBridge}
              onOpenLogs={() => go({ name: 'logs' })}
              onSetUpButtonCards={() => go({ name: 'settings', buttonCardsOf: activeBridge })}
            />
          ) : (
            <Empty icon="🔌" title={t('dashboard.notFound')} />
          ))}
        {current.name === 'logs' && <Logs bridges={bridges} />}
        {current.name === 'settings' && (
          <Settings
            settings={settings}
            vault={vault}
            bridges={bridges}
            onSettings={(s) => settingsQuery.setData(() => s)}
            onBridgesChanged={() => bridgesQuery.refetch()}
            {...(current.buttonCardsOf ? { buttonCardsOf: current.buttonCardsOf } : {})}
          />
        )}
      </main>
    </div>
  );
}

/** Served without the token: say where to get the right address. */
export function NoToken() {
  const { t } = useTranslation();
  return (
    <div className="boot">
      <div className="boot-problem" role="alert">
        <h1>{t('app.noToken.title')}</h1>
        <p>{t('app.noToken.body')}</p>
      </div>
    </div>
  );
}
