/**
 * `cccc-dingtalk doctor [--json]`: checks, in order, everything the bridge needs — CCCC
 * reachable, the group exists, Python runs the lock helper, the credentials get a token, a
 * Stream connection opens, CCCC's own bridge is not serving the group, no other instance of
 * ours is; whether AI cards are allowed is a note (answers go out as messages without them) — and explains each failure like README's Troubleshooting section. Without any
 * configured bridge it checks the machine instead (doctor/machine.ts) and says how to set one
 * up. Exit code 1 if any check fails.
 */
import { DaemonClient } from '../../core/cccc/daemon';
import { ApiUsage } from '../../core/bridge/api-usage/api-usage';
import { inspectBridge, type BridgeInspection } from '../../core/control/inspect';
import { appHolder, groupHolder, instanceProblem, isSameBridge, ownBridgeProblems } from '../../core/config/guards';
import type { DingTalkCredentials } from '../../core/dingtalk/endpoints';
import { CardApi } from '../../core/dingtalk/card-api';
import { DingTalkApi } from '../../core/dingtalk/openapi-client';
import type { CallCounter } from '../../core/dingtalk/http';
import { probeStream } from '../../core/dingtalk/stream-probe';
import { resolveCcccHome } from '../../core/cccc/daemon/home';
import { toProblem } from '../../core/errors';
import { configLocation, configStore, credentialsOf, loadBridge, type BridgeContext } from '../context';
import { machineChecks, pythonCheck } from '../doctor/machine';
import { failedCheck as failed, failureCount, printChecks, type Check } from '../doctor/report';
import { out, printJson } from '../output';
import { readStatusFile } from '../status-file';
import { troubleshoot } from '../troubleshooting';
import type { ApiUsageView } from '../../shared/api';
import { buttonCardsCheck } from './set-cards';
import { apiUsageLines, unreachableLine } from './status';

export interface DoctorOptions {
  bridge?: string;
  json?: boolean;
  /** Seconds to wait for the Stream connection. */
  timeout?: string;
}

const STREAM_TIMEOUT_S = 15;

async function runChecks(ctx: BridgeContext, streamTimeoutMs: number): Promise<{ checks: Check[]; apiUsage: ApiUsageView }> {
  const checks: Check[] = [];
  const fail = (id: string, error: unknown): void => {
    const problem = toProblem(error);
    checks.push(failed(id, problem, troubleshoot(problem, ctx)));
  };
  const { groupId } = ctx.profile;

  const daemon = new DaemonClient({ home: ctx.ccccHome });
  let ccccUp = false;
  try {
    const ping = await daemon.ping({ timeoutMs: 3_000, retries: 0 });
    ccccUp = true;
    checks.push({ id: 'cccc', status: 'ok', message: `CCCC is running (version ${ping.version}, pid ${ping.pid}; CCCC_HOME ${ctx.ccccHome})` });
  } catch (error) {
    fail('cccc', error);
  }

  let groupMissing = false;
  if (!ccccUp) checks.push({ id: 'group', status: 'skip', message: `Group ${groupId}: not checked (needs CCCC)` });
  else {
    try {
      const { group } = await daemon.groupShow(groupId, { timeoutMs: 3_000 });
      checks.push({ id: 'group', status: 'ok', message: `Group ${groupId} exists${group.title ? ` ("${group.title}")` : ''}` });
    } catch (error) {
      groupMissing = toProblem(error).code === 'cccc.group_not_found';
      fail('group', error);
    }
  }

  checks.push(await pythonCheck());

  let credentials: DingTalkCredentials | undefined;
  // The checks' own calls count with the bridge's, in its state folder (bridge/api-usage/).
  let usage: ApiUsage | undefined;
  try {
    const resolved = await credentialsOf(ctx, 'cccc-dingtalk doctor');
    usage = new ApiUsage({ stateDir: ctx.paths.state, appKey: resolved.credentials.appKey });
    await new DingTalkApi({ credentials: resolved.credentials, endpoints: ctx.endpoints, counter: usage.counter }).checkCredentials();
    credentials = resolved.credentials;
    checks.push({
      id: 'credentials',
      status: 'ok',
      message: `Credentials are valid: DingTalk issued a token for the AppKey ${ctx.profile.appKeyEnv ? `in $${ctx.profile.appKeyEnv}` : resolved.credentials.appKey}`,
    });
  } catch (error) {
    fail('credentials', error);
  }
  if (credentials) checks.push(await cardsCheck(ctx, credentials, usage?.counter));
  checks.push(buttonCardsCheck(ctx.profile.settings));

  const groupOwner = await groupHolder(ctx.target);
  const appOwner = credentials ? await appHolder(ctx.target, credentials.appKey) : undefined;
  if (!credentials) checks.push({ id: 'stream', status: 'skip', message: 'Stream connection: not checked (needs valid credentials)' });
  else if (groupOwner && isSameBridge(ctx.target, groupOwner)) {
    // Our own running bridge already holds a connection: report it rather than opening another.
    const status = await readStatusFile(ctx.paths.status);
    const d = status?.dingtalk;
    if (d?.status === 'connected') checks.push({ id: 'stream', status: 'ok', message: `Stream connection: open (the running bridge, pid ${groupOwner.pid})` });
    else if (d?.problem) checks.push(failed('stream', d.problem, troubleshoot(d.problem, ctx)));
    else checks.push({ id: 'stream', status: 'skip', message: `Stream connection: the running bridge (pid ${groupOwner.pid}) is ${d?.status ?? 'starting'}` });
  } else {
    const problem = await probeStream(credentials, ctx.endpoints, streamTimeoutMs, undefined, usage?.counter);
    if (problem) checks.push(failed('stream', problem, troubleshoot(problem, ctx)));
    else checks.push({ id: 'stream', status: 'ok', message: `Stream connection opens (${ctx.endpoints.apiBase})` });
  }

  if (groupMissing) checks.push({ id: 'cccc_bridge', status: 'skip', message: "CCCC's own bridge: not checked (no such group)" });
  else {
    try {
      const problems = await ownBridgeProblems(ctx.target, credentials?.appKey ?? '');
      if (problems.length === 0) checks.push({ id: 'cccc_bridge', status: 'ok', message: "CCCC's own DingTalk bridge is not running for this group or app" });
      for (const p of problems) checks.push(failed('cccc_bridge', p, []));
    } catch (error) {
      fail('cccc_bridge', error);
    }
  }

  if (groupOwner && !isSameBridge(ctx.target, groupOwner)) checks.push(failed('instance', instanceProblem(ctx.target, 'group', groupOwner), []));
  else if (appOwner && !isSameBridge(ctx.target, appOwner)) checks.push(failed('instance', instanceProblem(ctx.target, 'app', appOwner), []));
  else if (groupOwner) checks.push({ id: 'instance', status: 'ok', message: `No other instance (this bridge is running, pid ${groupOwner.pid})` });
  else checks.push({ id: 'instance', status: 'ok', message: 'No other cccc-dingtalk bridge uses this group or app' });

  await usage?.close();
  const seen = await inspectBridge({
    groupId: ctx.profile.groupId,
    ccccHome: ctx.ccccHome,
    stateDir: ctx.paths.state,
    apiBudget: ctx.profile.settings.monthlyApiBudget,
    chats: 'subscribers',
  });
  checks.push(chatsCheck(seen), apiUsageCheck(seen.apiUsage));
  return { checks, apiUsage: seen.apiUsage };
}

/** No bridge configured (and none asked for): what the machine offers, and the `set` command. */
async function doctorWithoutBridge(o: DoctorOptions, configFile: string): Promise<number> {
  const ccccHome = resolveCcccHome({ env: process.env });
  const { checks, setup } = await machineChecks({ ccccHome, configFile, env: process.env });
  if (o.json) {
    printJson({ ok: false, bridge: null, checks, setup });
    return 1;
  }
  out(`Checking this machine for a new bridge (CCCC_HOME ${ccccHome})`);
  printChecks(checks);
  return 1;
}

/** Whether every subscribed chat can be reached now (bridge/chat-reach.ts says which cannot). */
/** Live answers need two card permissions; without them the bridge sends messages, so this is a note, never a failure. */
async function cardsCheck(ctx: BridgeContext, credentials: DingTalkCredentials, counter: CallCounter | undefined): Promise<Check> {
  if (!ctx.profile.settings.cards) return { id: 'cards', status: 'skip', message: 'AI cards: turned off in the settings (answers go out as messages)' };
  const readiness = await new CardApi(new DingTalkApi({ credentials, endpoints: ctx.endpoints, ...(counter ? { counter } : {}) })).probeCardPermissions();
  if (readiness.state === 'ready')
    return { id: 'cards', status: 'ok', message: 'AI cards are allowed: answers stream live (Card.Instance.Write, Card.Streaming.Write)' };
  if (readiness.state === 'unknown') return { id: 'cards', status: 'skip', message: `AI cards: not checked (${readiness.problem.message})` };
  return { ...failed('cards', readiness.problem), status: 'note' };
}

function chatsCheck(seen: BridgeInspection): Check {
  const subscribed = seen.chats.filter((c) => c.subscribed).length;
  if (seen.unreachableChats === 0) return { id: 'chats', status: 'ok', message: `Subscribed chats: ${subscribed}, every one reachable` };
  return {
    id: 'chats',
    status: 'note',
    message: `Subscribed chats: ${subscribed}; ${unreachableLine(seen.unreachableChats)}`,
    hint: 'Single chats authorized elsewhere (CCCC Web UI, `cccc im bind`) whose person this bridge has not met: DingTalk needs that person’s staff id. Any message in the chat fixes it.',
  };
}

/** This month's DingTalk API calls against the budget: worth a note from 80 % of it. */
function apiUsageCheck(v: ApiUsageView): Check {
  const { label, lines, raise } = apiUsageLines(v);
  const message = `${label.trim()} ${lines[0] ?? ''}`;
  if (v.allowance === 'full') return { id: 'api_usage', status: 'ok', message };
  return { id: 'api_usage', status: 'note', message, hint: `${lines.slice(1).join('; ')} — ${raise}` };
}

export async function doctorCommand(o: DoctorOptions): Promise<number> {
  const { configFile } = configLocation();
  if (o.bridge === undefined && (await configStore().read()).bridges.length === 0) return doctorWithoutBridge(o, configFile);
  const ctx = await loadBridge(o.bridge);
  const timeoutMs = Math.max(1, Number(o.timeout ?? STREAM_TIMEOUT_S)) * 1000;
  const { checks, apiUsage } = await runChecks(ctx, timeoutMs);
  const failures = failureCount(checks);
  if (o.json) {
    printJson({ ok: failures === 0, bridge: ctx.profile.id, groupId: ctx.profile.groupId, checks, apiUsage });
    return failures === 0 ? 0 : 1;
  }
  out(`Checking bridge "${ctx.profile.id}" (group ${ctx.profile.groupId}, DingTalk ${ctx.endpoints.apiBase})`);
  printChecks(checks);
  const running = checks.some((c) => c.id === 'instance' && c.status === 'ok' && c.message.includes('this bridge is running'));
  if (failures > 0) out(`${failures} check${failures === 1 ? '' : 's'} failed.`);
  else out(running ? 'All checks passed.' : 'All checks passed. Start the bridge with `cccc-dingtalk start --detach`.');
  return failures === 0 ? 0 : 1;
}
