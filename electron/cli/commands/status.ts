/**
 * `cccc-dingtalk status [--json]`: is the bridge running, its DingTalk and CCCC links, the
 * subscribed chats, pending requests, outbox depth and last error — from the status.json the
 * running process keeps current. The chats and requests are inspectBridge()'s view, the one the
 * dashboard shows: kept in status.json by the running bridge, or read here (CCCC's IM files, the
 * bridge's chat directory) when it is not running; the last error is from the last status
 * written. Chats are named by name and kind, their ids shown with --verbose (chat-names.ts).
 * Exit code 3 when not running (as service scripts expect).
 */
import { inspectBridge } from '../../core/control/inspect';
import { SECRET_KEPT_BY } from '../../core/config/credentials';
import { groupHolder, isSameBridge } from '../../core/config/guards';
import type { BridgeProfile } from '../../core/config/profile';
import { API_USAGE_TEXT } from '../../core/i18n/api-usage';
import { localeLanguage } from '../../core/i18n/locale';
import type { ApiUsageView } from '../../shared/api';
import { openLogFile } from '../../core/log/log-file';
import { loadBridge, type BridgeContext } from '../context';
import { chatName, requestLine } from '../chat-names';
import { duration, formatTime, out, printJson } from '../output';
import { readStatusFile, statusLines, type ChatLine, type PendingLine, type StatusFile } from '../status-file';
import { cardSettingsLines, type CardSettings } from './set-cards';

export interface StatusOptions {
  bridge?: string;
  json?: boolean;
  /** Chat ids next to their names. */
  verbose?: boolean;
}

interface StatusView {
  bridge: string;
  name: string;
  groupId: string;
  /** Where the AppSecret is: a variable, secrets.json, or the desktop app's keychain (which the CLI cannot read). */
  secret: BridgeProfile['secret'];
  /** Which program runs it, when it runs: the CLI, the desktop app or `serve`. */
  host?: 'cli' | 'app' | 'serve';
  ccccHome: string;
  running: boolean;
  pid?: number;
  state: StatusFile['state'];
  startedAt?: number;
  updatedAt?: number;
  dingtalk?: StatusFile['dingtalk'];
  cccc?: StatusFile['cccc'];
  outboxDepth?: number;
  inboxDepth?: number;
  chats: ChatLine[];
  /** When the bridge serves several CCCC groups: each, as the running bridge last said. */
  groups?: StatusFile['groups'];
  /** Subscribed chats that cannot be reached until someone writes in them. */
  unreachableChats: number;
  pending: PendingLine[];
  lastProblem?: StatusFile['lastProblem'];
  lastProblemAt?: number;
  /** The card settings (docs/dingtalk-protocol.md §7 and "Cards with buttons"). */
  cards: CardSettings;
  /** This month's DingTalk API calls (absent: a running bridge of an older version). */
  apiUsage?: ApiUsageView;
  logFile: string;
}

export async function collectStatus(ctx: BridgeContext): Promise<StatusView> {
  const holder = await groupHolder(ctx.target);
  const running = holder !== undefined && isSameBridge(ctx.target, holder);
  const file = await readStatusFile(ctx.paths.status);
  const { cards, cardTemplateId, buttonCards, buttonCardTemplateId, approvers } = ctx.profile.settings;
  const base = {
    bridge: ctx.profile.id,
    name: ctx.profile.name,
    groupId: ctx.profile.groupId,
    secret: ctx.profile.secret,
    ccccHome: ctx.ccccHome,
    logFile: openLogFile(ctx.paths.logs).pathAt(0),
    cards: { cards, cardTemplateId, buttonCards, buttonCardTemplateId, approvers },
    ...(running && holder ? { host: holder.host ?? ('cli' as const) } : {}),
  };
  if (running && file && file.pid === holder?.pid) {
    const { pid, state, startedAt, updatedAt, dingtalk, cccc, outboxDepth, inboxDepth, chats, groups, unreachableChats, pending, lastProblem, lastProblemAt } =
      file;
    return {
      ...base,
      running,
      pid,
      state,
      startedAt,
      updatedAt,
      dingtalk,
      cccc,
      outboxDepth,
      inboxDepth,
      chats,
      ...(groups ? { groups } : {}),
      unreachableChats: unreachableChats ?? 0,
      pending,
      ...(file.apiUsage ? { apiUsage: file.apiUsage } : {}),
      ...(lastProblem ? { lastProblem, lastProblemAt } : {}),
    };
  }
  const files = statusLines(
    await inspectBridge({
      groupId: ctx.profile.groupId,
      ccccHome: ctx.ccccHome,
      stateDir: ctx.paths.state,
      apiBudget: ctx.profile.settings.monthlyApiBudget,
      chats: 'subscribers',
    }),
  );
  const view: StatusView = { ...base, running, state: running ? 'starting' : 'stopped', ...files };
  if (running && holder) view.pid = holder.pid;
  if (file?.lastProblem) {
    view.lastProblem = file.lastProblem;
    if (file.lastProblemAt) view.lastProblemAt = file.lastProblemAt;
  }
  if (file && !running) view.outboxDepth = file.outboxDepth;
  return view;
}

function dingtalkLine(d: StatusFile['dingtalk'] | undefined, now: number): string {
  if (!d) return 'unknown';
  if (d.status === 'connected') return `connected${d.since ? ` (for ${duration(now - d.since)})` : ''}`;
  if (d.status === 'reconnecting') return `reconnecting (attempt ${d.attempt ?? '?'}${d.problem ? `: ${d.problem.message}` : ''})`;
  if (d.status === 'error') return `stopped on an error${d.problem ? `: ${d.problem.message}` : ''}`;
  return d.status;
}

function ccccLine(c: StatusFile['cccc'] | undefined): string {
  if (!c) return 'unknown';
  if (c.status === 'up') return `up${c.version ? ` (version ${c.version}${c.pid ? `, pid ${c.pid}` : ''})` : ''}`;
  if (c.status === 'down') return `not reachable${c.problem ? ` — ${c.problem.message}` : ''}`;
  return 'checking…';
}

/** The month's API calls, its forecast and budget, in the locale's language; the same in `status` and `doctor`. */
export function apiUsageLines(v: ApiUsageView): { label: string; lines: string[]; raise: string } {
  const t = API_USAGE_TEXT[localeLanguage(process.env)];
  const lines = [t.summary(v)];
  if (v.byApi.length > 0) lines.push(t.top(v, 4));
  if (v.allowance !== 'full') lines.push(t.allowance[v.allowance]);
  return { label: t.label, lines, raise: t.raise };
}

/** Said the same way by `status` and `doctor`. */
export function unreachableLine(n: number): string {
  return n === 1 ? "1 chat can't be reached until someone writes in it" : `${n} chats can't be reached until someone writes in them`;
}

const HOSTS = { app: 'in the desktop app', serve: 'in `cccc-dingtalk serve`' } as const;

/** Where the AppSecret is, and for the desktop app's keychain how the CLI could run it. */
function secretLine(v: StatusView): string {
  if (v.secret.from === 'env') return `from $${v.secret.name}`;
  if (v.secret.from === 'file') return 'in secrets.json (typed into the page of `cccc-dingtalk serve`)';
  return `kept by ${SECRET_KEPT_BY.keychain} — start it there, or \`cccc-dingtalk set ${v.bridge} --app-secret-env VAR\``;
}

function print(v: StatusView, verbose: boolean): void {
  const now = Date.now();
  const where = v.host === 'app' || v.host === 'serve' ? ` ${HOSTS[v.host]}` : '';
  const head = v.running ? `running${where} (pid ${v.pid}${v.startedAt ? `, up ${duration(now - v.startedAt)}` : ''})` : 'not running';
  out(`Bridge "${v.bridge}"${v.name !== v.bridge ? ` (${v.name})` : ''}: ${head}`);
  out(`  CCCC group:  ${v.groupId}  (CCCC_HOME ${v.ccccHome})`);
  const titles = new Map(v.groups?.map((g) => [g.groupId, g.title]));
  if (v.groups) {
    out(`  Groups:      ${v.groups.length} served by this robot`);
    for (const g of v.groups)
      out(`    ${g.title}${g.title !== g.groupId ? ` [${g.groupId}]` : ''} — ${g.state}, ${g.chats} ${g.chats === 1 ? 'chat' : 'chats'}`);
  }
  out(`  AppSecret:   ${secretLine(v)}`);
  // A bridge of another program keeps its live status there (its page); the files say the rest.
  if (v.running && where === '') {
    out(`  State:       ${v.state}`);
    out(`  DingTalk:    ${dingtalkLine(v.dingtalk, now)}`);
    out(`  CCCC:        ${ccccLine(v.cccc)}`);
  }
  if (v.outboxDepth !== undefined) out(`  Outbox:      ${v.outboxDepth} waiting to be sent${v.inboxDepth ? `; ${v.inboxDepth} waiting for CCCC` : ''}`);
  const subscribed = v.chats.filter((c) => c.subscribed);
  out(`  Chats:       ${subscribed.length} subscribed`);
  if (v.unreachableChats > 0) out(`               ${unreachableLine(v.unreachableChats)}`);
  for (const c of v.chats) {
    const flags = [c.subscribed ? 'subscribed' : 'unsubscribed', c.verbose && 'verbose', c.paused && 'paused'].filter(Boolean).join(', ');
    const group = c.groupId && (titles.get(c.groupId) ?? c.groupId);
    out(`    ${chatName(c, verbose)} — ${flags}${group ? ` · ${group}` : ''}`);
  }
  out(`  Pending:     ${v.pending.length === 0 ? 'no subscription requests' : `${v.pending.length} — approve with \`cccc-dingtalk approve KEY\``}`);
  for (const p of v.pending) {
    out(`    ${p.key}  ${requestLine(p, verbose)}, expires in ${duration(p.expiresAt - now)}`);
  }
  for (const [label, value] of cardSettingsLines(v.cards)) out(`  ${label}${value}`);
  if (v.apiUsage) {
    const { label, lines } = apiUsageLines(v.apiUsage);
    lines.forEach((line, i) => out(`  ${i === 0 ? label : ' '.repeat(13)}${line}`));
  }
  if (v.lastProblem) {
    out(`  Last error:  ${v.lastProblem.message}${v.lastProblemAt ? ` (${formatTime(v.lastProblemAt)})` : ''}`);
    if (v.lastProblem.hint) out(`               → ${v.lastProblem.hint}`);
  }
  if (!v.running) out(v.secret.from === 'keychain' ? '  Start it in the desktop app.' : '  Start it with `cccc-dingtalk start --detach`.');
}

export async function statusCommand(o: StatusOptions): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const view = await collectStatus(ctx);
  if (o.json) printJson(view);
  else print(view, o.verbose ?? false);
  return view.running ? 0 : 3;
}
