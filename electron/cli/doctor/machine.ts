/**
 * `doctor` before any bridge is configured: what this machine offers a new bridge — CCCC
 * (installed, running, its groups), Python for the lock helper, bridges already running here
 * (ours, CCCC's own) — and the exact `cccc-dingtalk set` command for a group that is free.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CcccView, GroupView } from '../../shared/api';
import { PythonFlock } from '../../core/cccc/im-state/flock';
import { ownDingTalkBridges } from '../../core/cccc/group/own-bridges';
import type { LockOwner } from '../../core/config/instance-lock';
import { runningBridges } from '../../core/config/running-bridges';
import { ccccOverview } from '../../core/control/cccc-info';
import { toProblem } from '../../core/errors';
import { failedCheck, type Check } from './report';

export interface MachineReport {
  checks: Check[];
  /** The `cccc-dingtalk set …` command that configures a bridge for a free group. */
  setup: string;
}

const HOSTS = { cli: 'run by the CLI', app: 'in the desktop app', serve: 'in `cccc-dingtalk serve`' } as const;

export async function pythonCheck(): Promise<Check> {
  const flock = new PythonFlock();
  try {
    // A path that never exists: the helper answers "absent" when Python runs it at all.
    await flock.probe(join(tmpdir(), `cccc-dingtalk-doctor-${process.pid}`, 'absent.lock'));
    return { id: 'python', status: 'ok', message: `Python runs (${flock.python}), for the lock helper on CCCC's state files` };
  } catch (error) {
    return failedCheck('python', toProblem(error));
  }
}

function groupLabel(g: GroupView): string {
  return `${g.groupId}${g.title && g.title !== g.groupId ? ` ("${g.title}"${g.running ? ', running' : ''})` : g.running ? ' (running)' : ''}`;
}

function ccccChecks(cccc: CcccView): Check[] {
  if (cccc.status === 'not_installed' || !cccc.version) {
    const problem = cccc.problem ?? { code: 'cccc.not_running', message: 'CCCC is not running', retryable: true };
    const onDisk = cccc.groups.length ? `; on disk: ${cccc.groups.map(groupLabel).join(', ')}` : '';
    return [failedCheck('cccc', problem), { id: 'groups', status: 'skip', message: `CCCC's groups: not asked (needs CCCC running)${onDisk}` }];
  }
  const running: Check = { id: 'cccc', status: 'ok', message: `CCCC is running (version ${cccc.version}; CCCC_HOME ${cccc.home})` };
  if (cccc.groups.length === 0)
    return [
      running,
      failedCheck('groups', {
        code: 'cccc.no_groups',
        message: 'CCCC has no working group yet',
        hint: 'Create one with `cccc group create --title <name>`.',
        retryable: true,
      }),
    ];
  const n = cccc.groups.length;
  return [running, { id: 'groups', status: 'ok', message: `CCCC has ${n} working group${n === 1 ? '' : 's'}: ${cccc.groups.map(groupLabel).join(', ')}` }];
}

function ourBridgeCheck(owner: LockOwner): Check {
  const where = [`pid ${owner.pid}`, HOSTS[owner.host ?? 'cli'], ...(owner.user ? [`user ${owner.user}`] : []), `config home ${owner.configHome}`];
  return {
    id: 'instance',
    status: 'note',
    message: `cccc-dingtalk bridge "${owner.bridgeId}" already runs for group ${owner.groupId} (${where.join(', ')})`,
    hint: 'A new bridge needs another group and another DingTalk app.',
  };
}

function setupCommand(cccc: CcccView, taken: ReadonlySet<string>): { command: string; others: string[] } {
  const free = cccc.groups.filter((g) => !taken.has(g.groupId));
  const group = free[0] ?? cccc.groups[0];
  // The names CCCC's own settings for this group already use, if any (group.yaml `im:`).
  const im = group?.im;
  const parts = [
    'cccc-dingtalk set',
    `--group ${group?.groupId ?? '<group id>'}`,
    `--app-key-env ${im?.appKeyEnv ?? 'DINGTALK_APP_KEY'}`,
    `--app-secret-env ${im?.appSecretEnv ?? 'DINGTALK_APP_SECRET'}`,
    ...(im?.robotCodeEnv ? [`--robot-code-env ${im.robotCodeEnv}`] : []),
  ];
  return { command: parts.join(' '), others: free.slice(1).map((g) => g.groupId) };
}

function setupSteps(command: string, others: string[], env: NodeJS.ProcessEnv): string[] {
  const names = [...command.matchAll(/--(app-key|app-secret)-env (\S+)/g)].map((m) => ({
    name: m[2] ?? '',
    what: m[1] === 'app-key' ? 'Client ID' : 'Client Secret',
  }));
  const unset = names.filter((n) => !env[n.name]?.trim());
  return [
    ...(unset.length
      ? [`Export the DingTalk app's credentials (developer console → Credentials): \`export ${unset.map((n) => `${n.name}=<${n.what}>`).join(' ')}\``]
      : []),
    `\`${command}\`${others.length ? ` (or another free group: ${others.join(', ')})` : ''}`,
    '`cccc-dingtalk doctor` again, then `cccc-dingtalk start --detach`',
  ];
}

export async function machineChecks(o: { ccccHome: string; configFile: string; env: NodeJS.ProcessEnv }): Promise<MachineReport> {
  const cccc = await ccccOverview(o.ccccHome, { env: o.env });
  const checks = [...ccccChecks(cccc), await pythonCheck()];

  const taken = new Set<string>();
  const own = await ownDingTalkBridges(
    o.ccccHome,
    cccc.groups.map((g) => g.groupId),
  );
  for (const b of own) {
    if (b.groupId) taken.add(b.groupId);
    const what = b.groupId ? `for group ${b.groupId}` : 'for a DingTalk app';
    checks.push({
      id: 'cccc_bridge',
      status: 'note',
      message: b.running
        ? `CCCC's own DingTalk bridge is running ${what}${b.pid ? ` (pid ${b.pid})` : ''}`
        : `CCCC starts its own DingTalk bridge ${what} (im.enabled in group.yaml)`,
      hint: b.groupId
        ? `Pick another group for this bridge, or stop it with \`cccc im stop --group ${b.groupId}\`.`
        : '`cccc im status` shows which group it serves.',
    });
  }
  if (own.length === 0) checks.push({ id: 'cccc_bridge', status: 'ok', message: "CCCC's own DingTalk bridge is not running or enabled for any group" });

  const ours = await runningBridges(o.ccccHome);
  for (const owner of ours) {
    if (!owner.ccccHome || owner.ccccHome === o.ccccHome) taken.add(owner.groupId);
    checks.push(ourBridgeCheck(owner));
  }
  if (ours.length === 0) checks.push({ id: 'instance', status: 'ok', message: 'No other cccc-dingtalk bridge runs on this machine' });

  const { command, others } = setupCommand(cccc, taken);
  checks.push({
    id: 'config',
    status: 'fail',
    code: 'config.no_bridge',
    message: `No bridge is configured yet (${o.configFile})`,
    hint: 'Set one up:',
    steps: setupSteps(command, others, o.env),
  });
  return { checks, setup: command };
}
