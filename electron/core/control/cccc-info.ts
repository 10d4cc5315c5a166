/**
 * What the wizard's first step shows about CCCC: running, installed but not running, or not
 * installed; its groups, with the DingTalk settings CCCC already has for each (group.yaml `im:`)
 * so the wizard can import them. Only names and the AppKey leave here — never an AppSecret,
 * even when group.yaml holds one in plain text.
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { CcccView, GroupView } from '../../shared/api';
import { DaemonClient } from '../cccc/daemon';
import { readGroupConfig, type ImConfig } from '../cccc/group/group-config';
import { toProblem } from '../errors';
import { problemView } from './views';

export interface CcccInfoOptions {
  env: NodeJS.ProcessEnv;
  /** How long to wait for the daemon's answers; default 3 s. */
  timeoutMs?: number;
  platform?: NodeJS.Platform;
}

/** Is an executable `name` on PATH? */
export async function onPath(name: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      try {
        await access(join(dir, name + ext), platform === 'win32' ? constants.F_OK : constants.X_OK);
        return true;
      } catch {
        // next
      }
    }
  }
  return false;
}

/** The `im:` block for the wizard; undefined when it says nothing about DingTalk. */
export function imView(im: ImConfig | null, env: NodeJS.ProcessEnv): GroupView['im'] {
  if (!im) return undefined;
  const fields = [im.dingtalk_app_key, im.dingtalk_app_key_env, im.dingtalk_app_secret_env, im.dingtalk_robot_code, im.dingtalk_robot_code_env];
  if (im.platform !== 'dingtalk' && !fields.some(Boolean)) return undefined;
  const view: NonNullable<GroupView['im']> = { enabled: im.platform === 'dingtalk' && im.enabled };
  // The AppKey is no secret: resolve it from its variable when that is set here.
  const appKey = im.dingtalk_app_key || (im.dingtalk_app_key_env ? env[im.dingtalk_app_key_env]?.trim() : '');
  if (appKey) view.appKey = appKey;
  if (im.dingtalk_app_key_env) view.appKeyEnv = im.dingtalk_app_key_env;
  if (im.dingtalk_app_secret_env) view.appSecretEnv = im.dingtalk_app_secret_env;
  if (im.dingtalk_robot_code) view.robotCode = im.dingtalk_robot_code;
  if (im.dingtalk_robot_code_env) view.robotCodeEnv = im.dingtalk_robot_code_env;
  return view;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function groupsOnDisk(home: string, env: NodeJS.ProcessEnv): Promise<GroupView[]> {
  const ids = await readdir(join(home, 'groups')).catch(() => [] as string[]);
  const groups = await Promise.all(
    ids.map(async (id): Promise<GroupView | undefined> => {
      const config = await readGroupConfig(join(home, 'groups', id)).catch(() => undefined);
      if (!config) return undefined;
      const im = imView(config.im, env);
      return { groupId: config.groupId || id, title: config.title || id, running: false, ...(im ? { im } : {}) };
    }),
  );
  return groups.filter((g): g is GroupView => g !== undefined);
}

export async function ccccOverview(home: string, options: CcccInfoOptions): Promise<CcccView> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const daemon = new DaemonClient({ home, retries: 0 });
  let version: string;
  try {
    version = (await daemon.ping({ timeoutMs, retries: 0 })).version;
  } catch (err) {
    const installed = (await exists(home)) || (await onPath('cccc', options.env, options.platform));
    if (!installed) {
      return {
        status: 'not_installed',
        home,
        groups: [],
        problem: {
          code: 'cccc.not_installed',
          message: 'CCCC is not installed (no CCCC home folder and no `cccc` command)',
          hint: 'Install it with `pip install -U cccc-pair`, then start it with `cccc`. If CCCC lives elsewhere, set its CCCC_HOME.',
          retryable: true,
          details: { home },
        },
      };
    }
    return { status: 'not_running', home, groups: await groupsOnDisk(home, options.env), problem: problemView(toProblem(err, 'cccc.not_running')) };
  }
  const listed = (await daemon.groups({ timeoutMs })).groups;
  const groups = await Promise.all(
    listed.map(async (g): Promise<GroupView> => {
      const config = await readGroupConfig(join(home, 'groups', g.group_id)).catch(() => undefined);
      const im = imView(config?.im ?? null, options.env);
      return {
        groupId: g.group_id,
        title: g.title || config?.title || g.group_id,
        running: g.running ?? false,
        ...(g.state ? { state: g.state } : {}),
        ...(im ? { im } : {}),
      };
    }),
  );
  return { status: 'running', home, version, groups };
}
