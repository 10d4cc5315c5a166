/** The people who wrote to the robot, most recent first, each with a checkbox (the access allowlist, the approvers). */
import { useTranslation } from 'react-i18next';
import type { PersonView } from '../../../electron/shared/api';
import { currentLanguage } from '../i18n';
import { formatRelative } from '../ui/format';
import { useNow } from '../ui/useNow';

export function PeoplePicker({ people, chosen, onChange }: { people: PersonView[]; chosen: readonly string[]; onChange: (staffIds: string[]) => void }) {
  const { t, i18n } = useTranslation();
  const lng = currentLanguage(i18n);
  const now = useNow();
  const toggle = (staffId: string, on: boolean): void => onChange(on ? [...chosen, staffId] : chosen.filter((s) => s !== staffId));
  return (
    <div className="people">
      <p className="field-label">{t('settings.people')}</p>
      {people.length === 0 ? (
        <p className="empty-inline">{t('settings.noPeople')}</p>
      ) : (
        <ul className="people-list">
          {[...people]
            .sort((a, b) => b.lastSeen - a.lastSeen)
            .map((p) => (
              <li key={p.staffId}>
                <label className="check">
                  <input type="checkbox" checked={chosen.includes(p.staffId)} onChange={(e) => toggle(p.staffId, e.target.checked)} />
                  <span>
                    {p.nick}
                    {p.isAdmin && <span className="tag">{t('settings.admin')}</span>}
                    <span className="hint"> · {t('settings.lastSeen', { time: formatRelative(p.lastSeen, lng, now, t('time.justNow')) })}</span>
                  </span>
                </label>
              </li>
            ))}
        </ul>
      )}
    </div>
  );
}
