/** The bridges' log, live: filter by level, bridge and chat, search, export. */
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { BridgeSummary, LogLevelView, LogView } from '../../../electron/shared/api';
import { useApi, useApiEvents } from '../api/context';
import { useApiMutation } from '../api/useApiMutation';
import { useApiQuery } from '../api/useApiQuery';
import { Empty } from '../ui/bits';
import { chatLabel } from '../ui/chatLabel';
import { downloadText } from '../ui/download';
import { formatClock } from '../ui/format';
import { ProblemBox } from '../ui/Problem';
import { appendLogs, LEVELS, matches, SHOWN, type LogFilter } from './filter';

/** `key=value …`, without the chat (shown on its own). */
export function fieldsText(r: LogView): string {
  if (!r.fields) return '';
  return Object.entries(r.fields)
    .filter(([k, v]) => !((k === 'chat' || k === 'chatId') && v === r.chatId))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** The scope without the bridge id in front (the bridge is shown apart when there are several). */
export function shortScope(r: LogView): string {
  if (!r.bridgeId) return r.scope;
  if (r.scope === r.bridgeId) return 'bridge';
  return r.scope.startsWith(`${r.bridgeId}.`) ? r.scope.slice(r.bridgeId.length + 1) : r.scope;
}

export function Logs({ bridges }: { bridges: BridgeSummary[] }) {
  const { t } = useTranslation();
  const [live, setLive] = useState<LogView[]>([]);
  const initial = useApiQuery('logs', { limit: 1_000 });
  const api = useApi();
  const exporter = useApiMutation();
  const [filter, setFilter] = useState<LogFilter>({ level: 'info', bridgeId: '', chatId: '', search: '' });
  const [exportNote, setExportNote] = useState<string>();

  useApiEvents((e) => {
    if (e.type === 'log') setLive((r) => appendLogs(r, [e.record]));
  });
  // What was there when the page opened, then what arrived live (a record seen both ways once).
  const records = useMemo(() => appendLogs(initial.data ?? [], live), [initial.data, live]);
  const loaded = !initial.loading;

  // The chats' names and kinds, for the filter and the rows (a log record has only the id).
  const known = useApiQuery('listChats', {}, { refetchOn: (e) => e.type === 'bridges-changed' || e.type === 'pending' });
  const chatName = useMemo(() => {
    const byId = new Map((known.data ?? []).map((c) => [c.chatId, c]));
    return (chatId: string): string => {
      const c = byId.get(chatId);
      return c ? chatLabel(c, t) : chatId;
    };
  }, [known.data, t]);
  const chats = useMemo(
    () =>
      [...new Set(records.flatMap((r) => (r.chatId ? [r.chatId] : [])))].map((id) => ({ id, name: chatName(id) })).sort((a, b) => a.name.localeCompare(b.name)),
    [records, chatName],
  );

  const matching = useMemo(() => records.filter((r) => matches(r, filter)), [records, filter]);
  // Newest first, so live records appear at the top without moving what is being read below.
  const shown = useMemo(() => matching.slice(-SHOWN).reverse(), [matching]);
  const bridgeName = (id: string | undefined): string => bridges.find((b) => b.id === id)?.name ?? id ?? '';

  const doExport = async (): Promise<void> => {
    setExportNote(undefined);
    // In a browser on `serve` the file is the viewer's: downloaded, not written on the server.
    const download = api.transport.kind === 'http';
    const result = await exporter.run('exportLogs', { ...(filter.bridgeId ? { bridgeId: filter.bridgeId } : {}), ...(download ? { download: true } : {}) });
    if (!result) return;
    if ('jsonl' in result) {
      downloadText(result.name, result.jsonl);
      setExportNote(t('logs.downloaded', { count: result.records, name: result.name }));
    } else setExportNote('cancelled' in result ? t('logs.exportCancelled') : t('logs.exported', { count: result.records, path: result.path }));
  };

  const set = (patch: Partial<LogFilter>): void => setFilter((f) => ({ ...f, ...patch }));

  return (
    <div className="page logs-page">
      <header className="page-head">
        <h1>
          {t('logs.title')} <span className="live-dot" aria-hidden="true" />
          <span className="hint live-word">{t('logs.live')}</span>
        </h1>
        <div className="page-actions">
          <button type="button" className="btn" onClick={() => void doExport()}>
            {t('logs.export')}
          </button>
        </div>
      </header>
      <p className="action-note" role="status">
        {exportNote ?? ''}
      </p>
      {exporter.problem && <ProblemBox problem={exporter.problem} />}

      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('logs.level')}</span>
          <select value={filter.level} onChange={(e) => set({ level: e.target.value as LogLevelView })}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {t('logs.atLeast', { level: t(`logs.levels.${l}`) })}
              </option>
            ))}
          </select>
        </label>
        {bridges.length > 1 && (
          <label>
            <span>{t('logs.bridge')}</span>
            <select value={filter.bridgeId} onChange={(e) => set({ bridgeId: e.target.value })}>
              <option value="">{t('logs.allBridges')}</option>
              {bridges.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          <span>{t('logs.chat')}</span>
          <select value={filter.chatId} onChange={(e) => set({ chatId: e.target.value })}>
            <option value="">{t('logs.allChats')}</option>
            {chats.map((c) => (
              <option key={c.id} value={c.id} title={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="filters-search">
          <span>{t('logs.search')}</span>
          <input
            type="search"
            value={filter.search}
            maxLength={200}
            placeholder={t('logs.searchPlaceholder')}
            onChange={(e) => set({ search: e.target.value })}
          />
        </label>
      </form>

      {initial.problem && <ProblemBox problem={initial.problem} />}
      <p className="hint logs-count" aria-live="polite">
        {matching.length > SHOWN ? t('logs.showing', { shown: SHOWN, total: matching.length }) : ''}
      </p>
      {loaded && records.length === 0 ? (
        <Empty icon="📜" title={t('logs.empty')} />
      ) : loaded && shown.length === 0 ? (
        <Empty icon="🔍" title={t('logs.noMatch')} />
      ) : (
        <div className="log-scroll" tabIndex={0} aria-label={t('logs.title')}>
          <table className="log-table">
            <thead>
              <tr>
                <th scope="col">{t('logs.time')}</th>
                <th scope="col">{t('logs.level')}</th>
                <th scope="col">{t('logs.scope')}</th>
                <th scope="col">{t('logs.message')}</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r, i) => (
                <tr key={`${r.ts}-${i}-${r.msg}`} className={`log-row log-${r.level}`}>
                  <td className="log-time">
                    <time dateTime={new Date(r.ts).toISOString()}>{formatClock(r.ts)}</time>
                  </td>
                  <td>
                    <span className={`level level-${r.level}`}>{t(`logs.levels.${r.level}`)}</span>
                  </td>
                  <td className="log-scope">
                    {shortScope(r)}
                    {bridges.length > 1 && r.bridgeId && <span className="hint"> · {bridgeName(r.bridgeId)}</span>}
                  </td>
                  <td className="log-msg">
                    {r.msg}
                    {r.chatId && (
                      <span className="log-chat" title={r.chatId}>
                        {' '}
                        [{chatName(r.chatId)}]
                      </span>
                    )}
                    {r.fields && <span className="log-fields"> {fieldsText(r)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
