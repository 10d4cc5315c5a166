import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { ApiClient } from './api/client';
import { ApiProvider } from './api/context';
import { pickTransport } from './api/transports';
import { App, NoToken } from './App';
import { createI18n, htmlLang, resolveLanguage, systemLanguages } from './i18n';
import './styles.css';

const root = document.getElementById('root');
if (root) {
  const lng = resolveLanguage(undefined, systemLanguages());
  document.documentElement.lang = htmlLang(lng);
  const transport = pickTransport(window);
  void createI18n(lng).then((i18n) => {
    createRoot(root).render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          {transport ? (
            <ApiProvider value={new ApiClient(transport)}>
              <App />
            </ApiProvider>
          ) : (
            <NoToken />
          )}
        </I18nextProvider>
      </StrictMode>,
    );
  });
}
