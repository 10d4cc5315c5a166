/** Steps 1–4: what to do in the DingTalk console, with what can be copied or checked from here. */
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { DINGTALK_CONSOLE_URL } from '../../../electron/shared/app-info';
import { useApi } from '../api/context';
import { useApiMutation } from '../api/useApiMutation';
import { useDict } from '../i18n';
import { AppIconPreview, downloadAppIcon } from '../ui/AppIcon';
import { CONSOLE, ConsoleLabel, ConsolePath } from '../ui/ConsoleLabel';
import { CopyValue } from '../ui/CopyButton';
import { CopyTable } from '../ui/CopyTable';

export const BASE_PERMISSIONS = ['Robot.SingleChat.ReadWrite', 'qyapi_robot_sendmsg', 'qyapi_chat_read', 'qyapi_chat_manage'] as const;
export const CARD_PERMISSIONS = ['Card.Instance.Write', 'Card.Streaming.Write'] as const;

export function OpenConsole() {
  const { t } = useTranslation();
  const api = useApi();
  const opening = useApiMutation();
  const [result, setResult] = useState<'opened' | 'failed'>();
  const open = async (): Promise<void> => {
    // Not opened, for whatever reason: the link to copy is the answer, not a problem box.
    const res = await opening.run('openExternal', { url: DINGTALK_CONSOLE_URL });
    setResult(res?.opened ? 'opened' : 'failed');
  };
  // In a browser on `serve`, the browser looking at the page opens it (the server may have no screen, or be someone else's).
  if (api.transport.kind === 'http') {
    return (
      <div className="action-row">
        <a className="btn btn-primary" href={DINGTALK_CONSOLE_URL} target="_blank" rel="noopener noreferrer">
          {t('wizard.create.openConsole')} <span aria-hidden="true">↗</span>
        </a>
      </div>
    );
  }
  return (
    <div className="action-row">
      <button type="button" className="btn btn-primary" onClick={() => void open()}>
        {t('wizard.create.openConsole')} <span aria-hidden="true">↗</span>
      </button>
      <span className="action-note" role="status">
        {result === 'opened' && t('wizard.create.opened')}
        {result === 'failed' && (
          <>
            <Trans
              i18nKey="wizard.create.openFailed"
              components={{
                link: (
                  <a href={DINGTALK_CONSOLE_URL} target="_blank" rel="noopener noreferrer">
                    {DINGTALK_CONSOLE_URL}
                  </a>
                ),
              }}
            />
          </>
        )}
      </span>
    </div>
  );
}

export function StepCreate() {
  const { t } = useTranslation();
  const [iconFailed, setIconFailed] = useState(false);
  return (
    <div className="step">
      <p className="lead">{t('wizard.create.lead')}</p>
      <OpenConsole />
      <p className="console-intro">{t('console.intro')}</p>
      <p>{t('wizard.create.path')}</p>
      <p className="path-box">
        <ConsolePath steps={[CONSOLE.openPlatform, CONSOLE.devConsole, CONSOLE.appDev, CONSOLE.internal, CONSOLE.create]} />
      </p>
      <p>{t('wizard.create.fill')}</p>
      <dl className="form-guide">
        <dt>
          <ConsoleLabel zh={CONSOLE.appName[0]} en={CONSOLE.appName[1]} />
        </dt>
        <dd>
          <CopyValue value={t('wizard.create.suggestedName')} what={t('wizard.create.name')} />
        </dd>
        <dt>
          <ConsoleLabel zh={CONSOLE.appDesc[0]} en={CONSOLE.appDesc[1]} />
        </dt>
        <dd>
          <CopyValue value={t('wizard.create.suggestedDescription')} what={t('wizard.create.description')} multiline />
        </dd>
        <dt>
          <ConsoleLabel zh={CONSOLE.appIcon[0]} en={CONSOLE.appIcon[1]} />
        </dt>
        <dd className="icon-row">
          <AppIconPreview alt={t('wizard.create.iconAlt')} />
          <button
            type="button"
            className="btn"
            onClick={() =>
              void downloadAppIcon().then(
                () => setIconFailed(false),
                () => setIconFailed(true),
              )
            }
          >
            {t('wizard.create.downloadIcon')}
          </button>
          {iconFailed && <span className="field-warn">{t('common.copyFailed')}</span>}
        </dd>
      </dl>
      <p>
        <Trans i18nKey="wizard.create.confirm" components={{ label: <ConsoleLabel zh={CONSOLE.confirm[0]} en={CONSOLE.confirm[1]} /> }} />
      </p>
    </div>
  );
}

export function StepPermissions({ cards, onCards }: { cards: boolean; onCards: (on: boolean) => void }) {
  const { t } = useTranslation();
  const dict = useDict();
  const codes = cards ? [...BASE_PERMISSIONS, ...CARD_PERMISSIONS] : BASE_PERMISSIONS;
  return (
    <div className="step">
      <p className="lead">{t('wizard.permissions.lead')}</p>
      <p className="path-box">
        <ConsolePath steps={[CONSOLE.appDev, CONSOLE.permissions]} />
      </p>
      <CopyTable
        head={[t('wizard.permissions.code'), t('wizard.permissions.purpose')]}
        rows={codes.map((code) => ({ value: code, about: dict.wizard.permissions.purposes[code] }))}
      />
      <label className="check">
        <input type="checkbox" checked={cards} onChange={(e) => onCards(e.target.checked)} />
        <span>
          {t('wizard.permissions.cards')}
          <span className="hint"> — {t('wizard.permissions.cardsHint')}</span>
        </span>
      </label>
      <p className="note">{t('wizard.permissions.checkedLater')}</p>
    </div>
  );
}

export function StepRobot() {
  const { t } = useTranslation();
  return (
    <div className="step">
      <p className="lead">{t('wizard.robot.lead')}</p>
      <p className="path-box">
        <ConsolePath steps={[CONSOLE.capabilities, CONSOLE.robot]} />
      </p>
      <p>
        <Trans i18nKey="wizard.robot.configure" components={{ page: <ConsoleLabel zh={CONSOLE.robotConfig[0]} en={CONSOLE.robotConfig[1]} /> }} />
      </p>
      <div className="callout callout-key" role="note">
        <p className="callout-title">
          <ConsoleLabel zh={CONSOLE.receiveMode[0]} en={CONSOLE.receiveMode[1]} /> = <ConsoleLabel zh={CONSOLE.streamMode[0]} en={CONSOLE.streamMode[1]} />
        </p>
        <p>
          <strong>{t('wizard.robot.streamMode')}</strong>
        </p>
        <p>{t('wizard.robot.streamWhy')}</p>
      </div>
      <p>
        {t('wizard.robot.publishRobot')} (<ConsoleLabel zh={CONSOLE.publish[0]} en={CONSOLE.publish[1]} />)
      </p>
      <p className="note">{t('wizard.robot.checkedLater')}</p>
    </div>
  );
}

export function StepPublish() {
  const { t } = useTranslation();
  return (
    <div className="step">
      <div className="callout callout-key" role="note">
        <p>
          <strong>{t('wizard.publish.lead')}</strong>
        </p>
      </div>
      <p className="path-box">
        <ConsolePath steps={[CONSOLE.versions, CONSOLE.newVersion]} />
      </p>
      <p>
        {t('wizard.publish.steps')} <ConsoleLabel zh={CONSOLE.visibility[0]} en={CONSOLE.visibility[1]} />
      </p>
      <ul className="bullets">
        <li>
          <ConsoleLabel zh={CONSOLE.allStaff[0]} en={CONSOLE.allStaff[1]} />
        </li>
        <li>
          <ConsoleLabel zh={CONSOLE.departments[0]} en={CONSOLE.departments[1]} />
        </li>
        <li>
          <ConsoleLabel zh={CONSOLE.users[0]} en={CONSOLE.users[1]} />
        </li>
      </ul>
      <div className="callout callout-warn" role="note">
        <p>{t('wizard.publish.outside')}</p>
      </div>
      <p>
        <Trans i18nKey="wizard.create.confirm" components={{ label: <ConsoleLabel zh={CONSOLE.publish[0]} en={CONSOLE.publish[1]} /> }} />
      </p>
      <p className="note">{t('wizard.publish.again')}</p>
    </div>
  );
}
