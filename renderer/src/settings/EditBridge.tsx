/**
 * A bridge's name, CCCC group, Client ID and RobotCode, edited after it was made (here, in the
 * other host, or with `cccc-dingtalk set`). Only what changed is sent. A new group or app first
 * shows what it does to the subscriptions (bridgeEditImpact), and Save says when it restarts the
 * running bridge.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BridgeDetail, BridgeInput, BridgeSummary, EditImpactView } from '../../../electron/shared/api';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { Field } from '../ui/Field';
import { takenBy } from '../ui/groupTaken';
import { ProblemBox } from '../ui/Problem';

interface Form {
  name: string;
  groupId: string;
  /** The other groups the robot serves (one DingTalk app, several groups). */
  moreGroupIds: string[];
  allGroups: boolean;
  appKey: string;
  robotCode: string;
}

/** The form as the bridge is: a value held in a variable shows empty, with the variable named. */
function formOf(d: BridgeSummary): Form {
  return {
    name: d.name,
    groupId: d.groupId,
    moreGroupIds: d.moreGroupIds ?? [],
    allGroups: d.allGroups ?? false,
    appKey: d.appKeyEnv ? '' : d.appKey,
    robotCode: d.robotCodeEnv ? '' : (d.robotCode ?? ''),
  };
}

/** What the form changes, and nothing else (the services keep what is left out). */
function changesOf(f: Form, was: Form, d: BridgeSummary): Omit<BridgeInput, 'id'> {
  const c: Omit<BridgeInput, 'id'> = {};
  if (f.name.trim() && f.name.trim() !== was.name) c.name = f.name.trim();
  if (f.groupId !== was.groupId) c.groupId = f.groupId;
  const more = f.moreGroupIds.filter((g) => g !== f.groupId);
  if (more.join() !== was.moreGroupIds.join()) c.moreGroupIds = more;
  if (f.allGroups !== was.allGroups) c.allGroups = f.allGroups;
  if (f.appKey.trim() && f.appKey.trim() !== was.appKey) c.appKey = f.appKey.trim();
  // Empty clears a RobotCode kept here; a variable stays until a value is typed.
  if (f.robotCode.trim() !== was.robotCode && (f.robotCode.trim() || !d.robotCodeEnv)) c.robotCode = f.robotCode.trim();
  return c;
}

function Impact({ view }: { view: EditImpactView }) {
  const { t } = useTranslation();
  const g = view.group;
  const name = (id: string, title: string | undefined): string => (title ? `${title} (${id})` : id);
  return (
    <>
      {g && (
        <>
          <p>{t('settings.edit.groupMove', { to: name(g.to, g.toTitle) })}</p>
          {g.subscribed === 0 && <p>{t('settings.edit.groupNone', { from: name(g.from, g.fromTitle) })}</p>}
          {g.stay > 0 && <p>{t('settings.edit.groupStay', { count: g.stay, from: name(g.from, g.fromTitle), to: name(g.to, g.toTitle) })}</p>}
          {g.subscribed > g.stay && (
            <p>{t('settings.edit.groupAgain', { count: g.subscribed - g.stay, from: name(g.from, g.fromTitle), to: name(g.to, g.toTitle) })}</p>
          )}
        </>
      )}
      {view.app && <p>{t('settings.edit.appMove', { count: view.app.subscribed })}</p>}
      {view.restarts && <p className="callout-key">{t('settings.edit.restarts')}</p>}
    </>
  );
}

/** A code the profile holds, or reads from a variable (made with the CLI): typing one keeps it here instead. */
function ValueOrVariable(o: {
  label: string;
  hint?: string;
  value: string;
  variable: string | undefined;
  fromVariable: (env: string) => string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={o.label} hint={o.variable && !o.value.trim() ? o.fromVariable(o.variable) : o.hint}>
      {(p) => (
        <input
          {...p}
          type="text"
          className="mono"
          spellCheck={false}
          autoComplete="off"
          maxLength={128}
          value={o.value}
          placeholder={o.variable ? `$${o.variable}` : ''}
          onChange={(e) => o.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

export function EditBridge({ detail, onSaved }: { detail: BridgeDetail; onSaved: (summary: BridgeSummary) => void }) {
  const { t } = useTranslation();
  const [was, setWas] = useState(() => formOf(detail));
  const [form, setForm] = useState(was);
  const [saved, setSaved] = useState(false);
  const write = useApiMutation();
  const ccccQuery = useApiQuery('cccc', detail.ccccHome ? { ccccHome: detail.ccccHome } : {});
  const groups = ccccQuery.data?.groups ?? [];
  const changes = changesOf(form, was, detail);
  const moves = changes.groupId !== undefined || changes.appKey !== undefined;
  const impact = useApiQuery(
    'bridgeEditImpact',
    { bridgeId: detail.id, ...(changes.groupId ? { groupId: changes.groupId } : {}), ...(changes.appKey ? { appKey: changes.appKey } : {}) },
    { enabled: moves },
  );
  const group = groups.find((g) => g.groupId === form.groupId);
  const taken = group && takenBy(group, detail.id);
  // The subscriptions are said before anything is saved: Save waits for the answer.
  const ready = Object.keys(changes).length > 0 && form.name.trim() !== '' && !taken && (!moves || impact.data !== undefined);
  const set = (patch: Partial<Form>): void => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };

  const save = async (): Promise<void> => {
    if (!ready) return;
    const summary = await write.run('saveBridge', { id: detail.id, ...changes });
    if (!summary) return;
    const next = formOf(summary);
    setWas(next);
    setForm(next);
    setSaved(true);
    onSaved(summary);
  };

  return (
    <section aria-labelledby={`edit-${detail.id}`} className="edit-bridge">
      <h3 className="sub-head" id={`edit-${detail.id}`}>
        {t('settings.edit.title')}
      </h3>
      <p className="hint">{t('settings.edit.lead')}</p>
      {write.problem && <ProblemBox problem={write.problem} />}
      <div className="form-grid">
        <Field label={t('settings.edit.name')}>
          {(p) => <input {...p} type="text" value={form.name} maxLength={80} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label={t('settings.edit.group')} warn={taken ? t('wizard.credentials.groupTakenWarn', { name: taken }) : undefined}>
          {(p) => (
            // CCCC's groups are read again when the list is opened: one may have been made since.
            <select {...p} value={form.groupId} onFocus={() => ccccQuery.refetch()} onChange={(e) => set({ groupId: e.target.value })}>
              {!groups.some((g) => g.groupId === was.groupId) && (
                <option value={was.groupId}>{t('settings.edit.groupNotListed', { group: was.groupId })}</option>
              )}
              {groups.map((g) => {
                const by = takenBy(g, detail.id);
                return (
                  <option key={g.groupId} value={g.groupId} disabled={by !== undefined}>
                    {g.title} — {g.groupId}
                    {by ? ` (${t('settings.edit.groupTaken', { name: by })})` : ''}
                  </option>
                );
              })}
            </select>
          )}
        </Field>
        <fieldset className="more-groups" data-testid="more-groups">
          <legend>{t('settings.edit.moreGroups')}</legend>
          <p className="hint">{t('settings.edit.moreGroupsHint')}</p>
          <label>
            <input type="checkbox" checked={form.allGroups} onChange={(e) => set({ allGroups: e.target.checked })} /> {t('settings.edit.allGroups')}
          </label>
          {groups
            .filter((g) => g.groupId !== form.groupId)
            .map((g) => (
              <label key={g.groupId}>
                <input
                  type="checkbox"
                  checked={form.allGroups || form.moreGroupIds.includes(g.groupId)}
                  disabled={form.allGroups}
                  onChange={(e) =>
                    set({ moreGroupIds: e.target.checked ? [...form.moreGroupIds, g.groupId] : form.moreGroupIds.filter((x) => x !== g.groupId) })
                  }
                />{' '}
                {g.title} — {g.groupId}
              </label>
            ))}
        </fieldset>
        <ValueOrVariable
          label={t('settings.edit.clientId')}
          value={form.appKey}
          variable={detail.appKeyEnv}
          fromVariable={(env) => t('settings.edit.clientIdFromEnv', { env })}
          onChange={(appKey) => set({ appKey })}
        />
        <ValueOrVariable
          label={t('settings.edit.robotCode')}
          hint={t('settings.edit.robotCodeHint')}
          value={form.robotCode}
          variable={detail.robotCodeEnv}
          fromVariable={(env) => t('settings.edit.robotCodeFromEnv', { env })}
          onChange={(robotCode) => set({ robotCode })}
        />
      </div>
      {moves && (
        <div className="callout callout-warn" role="status" aria-live="polite">
          <p className="callout-title">{t('settings.edit.impactTitle')}</p>
          {impact.data ? (
            <Impact view={impact.data} />
          ) : impact.problem ? (
            <ProblemBox problem={impact.problem} compact />
          ) : (
            <p>{t('settings.edit.checking')}</p>
          )}
        </div>
      )}
      <div className="action-row">
        <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={!ready || write.busy}>
          {impact.data?.restarts && moves ? t('settings.edit.saveRestart') : t('common.save')}
        </button>
        <span className="action-note" role="status">
          {saved ? t('common.saved') : ''}
        </span>
      </div>
    </section>
  );
}
