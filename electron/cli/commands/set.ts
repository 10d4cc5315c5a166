/**
 * `cccc-dingtalk set`, like `cccc im set dingtalk`: which group, and the NAMES of the
 * environment variables holding the DingTalk credentials. Creates the bridge or updates it.
 */
import { bridgeSettingsSchema, type BridgeSettings } from '../../core/bridge/settings';
import { bridgeProfileSchema, envNameSchema, type BridgeProfile } from '../../core/config/profile';
import { ChatDirectory, type Person } from '../../core/bridge/chat-directory';
import { bridgePaths } from '../../core/config/paths';
import { readConfig, writeConfig } from '../../core/config/store';
import { BridgeError } from '../../core/errors';
import { configLocation } from '../context';
import { out } from '../output';
import { accessPolicyFrom, describeAccess } from './set-access';

export interface SetOptions {
  bridge?: string;
  group?: string;
  appKeyEnv?: string;
  appSecretEnv?: string;
  robotCodeEnv?: string;
  lang?: string;
  access?: string;
  allow?: string;
  maxFileMb?: string;
  maxMessageChars?: string;
  apiBudget?: string;
  ccccHome?: string;
}

function invalid(message: string, hint?: string): BridgeError {
  return new BridgeError({ code: 'config.invalid_option', message, ...(hint ? { hint } : {}), retryable: false });
}

function envName(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Never echo the value: it may be the secret itself, pasted where its variable's name belongs.
  if (!envNameSchema.safeParse(value).success) {
    throw invalid(
      `${option} takes the NAME of an environment variable (like DINGTALK_APP_SECRET), not its value`,
      'Names are upper-case letters, digits and "_". Export the value under that name.',
    );
  }
  return value;
}

function settingsPatch(o: SetOptions): Partial<BridgeSettings> {
  const patch: Partial<BridgeSettings> = {};
  if (o.lang !== undefined) {
    if (o.lang !== 'zh' && o.lang !== 'en') throw invalid('--lang must be zh or en');
    patch.replyLanguage = o.lang;
  }
  if (o.maxFileMb !== undefined) {
    const mb = Number(o.maxFileMb);
    if (!Number.isFinite(mb) || mb <= 0 || mb > 1024) throw invalid('--max-file-mb must be a number of megabytes between 0 and 1024');
    patch.maxFileMb = mb;
  }
  if (o.maxMessageChars !== undefined) {
    const chars = Number(o.maxMessageChars);
    if (!bridgeSettingsSchema.shape.maxMessageChars.safeParse(chars).success)
      throw invalid('--max-message-chars must be a whole number of characters between 100 and 100000');
    patch.maxMessageChars = chars;
  }
  if (o.apiBudget !== undefined) {
    const none = o.apiBudget.trim().toLowerCase() === 'none';
    const calls = Number(o.apiBudget);
    if (!none && !bridgeSettingsSchema.shape.monthlyApiBudget.safeParse(calls).success)
      throw invalid('--api-budget must be a whole number of calls a month (at least 1), or "none"');
    patch.monthlyApiBudget = none ? null : calls;
  }
  return patch;
}

export async function setCommand(o: SetOptions): Promise<void> {
  const { configHome, configFile } = configLocation();
  const config = await readConfig(configFile);
  const appKeyEnv = envName('--app-key-env', o.appKeyEnv);
  const appSecretEnv = envName('--app-secret-env', o.appSecretEnv);
  const robotCodeEnv = envName('--robot-code-env', o.robotCodeEnv);
  const settings = settingsPatch(o);

  let index: number;
  if (o.bridge !== undefined) index = config.bridges.findIndex((b) => b.id === o.bridge);
  else if (config.bridges.length <= 1) index = config.bridges.length - 1;
  else throw invalid(`${config.bridges.length} bridges are configured`, `Pick one with --bridge (${config.bridges.map((b) => b.id).join(', ')}).`);
  const previous = index >= 0 ? config.bridges[index] : undefined;
  const id = previous?.id ?? o.bridge ?? 'default';
  // The people this bridge has seen (as the app's allowlist picker offers them); read once, if needed.
  let seen: Promise<Person[]> | undefined;
  const people = (): Promise<Person[]> => (seen ??= new ChatDirectory(bridgePaths(configHome, id).state, { readOnly: true }).people().catch(() => []));
  const access = await accessPolicyFrom(o, previous?.settings.access, people);
  if (access) settings.access = access.policy;

  if (!previous) {
    const missing = [!o.group && '--group', !appKeyEnv && '--app-key-env', !appSecretEnv && '--app-secret-env'].filter(Boolean);
    if (missing.length > 0) {
      throw invalid(
        `A new bridge needs ${missing.join(', ')}`,
        'e.g. cccc-dingtalk set --group g_xxx --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET --robot-code-env DINGTALK_ROBOT_CODE',
      );
    }
  }
  const candidate = {
    id,
    groupId: o.group ?? previous?.groupId,
    ...((o.ccccHome ?? previous?.ccccHome) ? { ccccHome: o.ccccHome ?? previous?.ccccHome } : {}),
    appKeyEnv: appKeyEnv ?? previous?.appKeyEnv,
    appSecretEnv: appSecretEnv ?? previous?.appSecretEnv,
    ...((robotCodeEnv ?? previous?.robotCodeEnv) ? { robotCodeEnv: robotCodeEnv ?? previous?.robotCodeEnv } : {}),
    settings: bridgeSettingsSchema.parse({ ...previous?.settings, ...settings }),
  };
  const parsed = bridgeProfileSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'bridge'}: ${issue?.message ?? 'invalid'}`);
  }
  const profile: BridgeProfile = parsed.data;
  if (previous) config.bridges[index] = profile;
  else config.bridges.push(profile);
  await writeConfig(configFile, config);

  out(`${previous ? 'Updated' : 'Configured'} bridge "${profile.id}" in ${configFile}`);
  out(`  CCCC group:  ${profile.groupId}${profile.ccccHome ? ` (CCCC_HOME ${profile.ccccHome})` : ''}`);
  out(`  AppKey:      from $${profile.appKeyEnv}`);
  out(`  AppSecret:   from $${profile.appSecretEnv}`);
  if (profile.robotCodeEnv) out(`  RobotCode:   from $${profile.robotCodeEnv}`);
  const s = profile.settings;
  out(`  Replies in ${s.replyLanguage === 'zh' ? 'Chinese' : 'English'}; files up to ${s.maxFileMb} MB; texts up to ${s.maxMessageChars} characters`);
  out(`  Who may command the agents: ${describeAccess(s.access, s.access.mode === 'allowlist' ? await people() : [])}`);
  out(`  DingTalk API budget: ${s.monthlyApiBudget === null ? 'none' : `${s.monthlyApiBudget} calls a month`}`);
  if (access?.unknown.length)
    out(
      `Note: ${access.unknown.join(', ')} ${access.unknown.length === 1 ? 'has' : 'have'} not written to the robot yet — check the staff id${access.unknown.length === 1 ? '' : 's'}.`,
    );
  const unset = [profile.appKeyEnv, profile.appSecretEnv].filter((n) => !process.env[n]?.trim());
  if (unset.length > 0)
    out(
      `Note: ${unset.join(' and ')} ${unset.length === 1 ? 'is' : 'are'} not set in this shell — export ${unset.length === 1 ? 'it' : 'them'} before \`cccc-dingtalk start\`.`,
    );
  if (previous) out('A running bridge keeps its old settings until it is restarted (`cccc-dingtalk stop`, then `cccc-dingtalk start --detach`).');
  else out('Next: `cccc-dingtalk doctor`, then `cccc-dingtalk start --detach`.');
}
