/**
 * `cccc-dingtalk set [BRIDGE]`, like `cccc im set dingtalk`: creates a bridge or edits one — its
 * name, group, Client ID, RobotCode, where its AppSecret comes from, its settings — in the
 * config.json the desktop app shares (a bridge made in the app is edited here by its id or name).
 * Only what is given changes; the change is applied under the config lock to the bridge as it is
 * then, so an edit made meanwhile in the app is kept. Credentials are environment variable NAMES
 * (the Client ID and RobotCode may be given as values: they are no secrets). A change of group or
 * app says what it does to the subscriptions (core/control/edit-impact.ts).
 */
import { resolveCcccHome } from '../../core/cccc/daemon/home';
import { ChatDirectory, type Person } from '../../core/bridge/chat-directory';
import { bridgeSettingsSchema, type BridgeSettings } from '../../core/bridge/settings';
import { SECRET_KEPT_BY } from '../../core/config/credentials';
import { groupHolder, isSameBridge } from '../../core/config/guards';
import { bridgePaths } from '../../core/config/paths';
import {
  appKeyOf,
  bridgeIdSchema,
  bridgeProfileSchema,
  envNameSchema,
  servedGroups,
  servesSeveral,
  type BridgeProfile,
  type ConfigFile,
} from '../../core/config/profile';
import { pickBridge } from '../../core/config/store';
import { editImpact } from '../../core/control/edit-impact';
import { CLI_OPTIONS_TEXT, type CliOptionsText } from '../../core/i18n/cli-options';
import { localeLanguage } from '../../core/i18n/locale';
import { configLocation, configStore } from '../context';
import { invalidOption, out } from '../output';
import { accessPolicyFrom, describeAccess, unknownPeople } from './set-access';
import { cardSettingsFrom, cardSettingsLines, type CardOptions } from './set-cards';
import { impactLines } from './set-impact';
import { scanForSet } from './set-scan';

export interface SetOptions extends CardOptions {
  /** The bridge's id or name, as the command's argument. */
  target?: string;
  bridge?: string;
  name?: string;
  /** `--group` given once or more: the groups the one app serves, the first keeping the bridge's files. */
  group?: string[];
  allGroups?: boolean;
  clientId?: string;
  appKeyEnv?: string;
  appSecretEnv?: string;
  robotCode?: string;
  robotCodeEnv?: string;
  lang?: string;
  access?: string;
  allow?: string;
  maxFileMb?: string;
  maxMessageChars?: string;
  apiBudget?: string;
  ccccHome?: string;
  /** One scan with DingTalk makes the app (set-scan.ts). */
  scan?: boolean;
}

/** What is wrong with an option, in the locale's language (the code stays the same). */
const text = (): CliOptionsText['set'] => CLI_OPTIONS_TEXT[localeLanguage(process.env)].set;

function envName(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Never echo the value: it may be the secret itself, pasted where its variable's name belongs.
  if (!envNameSchema.safeParse(value).success) throw invalidOption(text().envName(option), text().envNameHint);
  return value;
}

function settingsPatch(o: SetOptions): Partial<BridgeSettings> {
  const t = text();
  const patch: Partial<BridgeSettings> = {};
  if (o.lang !== undefined) {
    if (o.lang !== 'zh' && o.lang !== 'en') throw invalidOption(t.lang);
    patch.replyLanguage = o.lang;
  }
  if (o.maxFileMb !== undefined) {
    const mb = Number(o.maxFileMb);
    if (!Number.isFinite(mb) || mb <= 0 || mb > 1024) throw invalidOption(t.maxFileMb);
    patch.maxFileMb = mb;
  }
  if (o.maxMessageChars !== undefined) {
    const chars = Number(o.maxMessageChars);
    if (!bridgeSettingsSchema.shape.maxMessageChars.safeParse(chars).success) throw invalidOption(t.maxMessageChars);
    patch.maxMessageChars = chars;
  }
  if (o.apiBudget !== undefined) {
    const none = o.apiBudget.trim().toLowerCase() === 'none';
    const calls = Number(o.apiBudget);
    if (!none && !bridgeSettingsSchema.shape.monthlyApiBudget.safeParse(calls).success) throw invalidOption(t.apiBudget);
    patch.monthlyApiBudget = none ? null : calls;
  }
  return { ...patch, ...cardSettingsFrom(o) };
}

/** A value or the variable that holds it, never both. */
function oneOf(valueOption: string, value: string | undefined, envOption: string, env: string | undefined): string | undefined {
  if (value !== undefined && env !== undefined) throw invalidOption(text().both(valueOption, envOption));
  const trimmed = value?.trim();
  if (value !== undefined && !trimmed) throw invalidOption(text().needsValue(valueOption));
  return trimmed;
}

/** The bridge the command is about: named (by id or name), the only one, or a new one. */
function chooseBridge(config: ConfigFile, ref: string | undefined, file: string): { previous?: BridgeProfile; id: string } {
  if (ref === undefined && config.bridges.length > 1) {
    pickBridge(config, undefined, file, localeLanguage(process.env)); // names them and says how to pick one
  }
  if (ref === undefined) return config.bridges[0] ? { previous: config.bridges[0], id: config.bridges[0].id } : { id: 'default' };
  if (config.bridges.some((b) => b.id === ref || b.name === ref)) {
    const previous = pickBridge(config, ref, file, localeLanguage(process.env));
    return { previous, id: previous.id };
  }
  if (!bridgeIdSchema.safeParse(ref).success) throw invalidOption(text().noBridge(ref), text().noBridgeHint);
  return { id: ref };
}

/** Applies the options to `previous` (undefined: a new bridge `id`). Whatever is not given stays. */
function applyOptions(previous: BridgeProfile | undefined, id: string, o: SetOptions, settings: Partial<BridgeSettings>): BridgeProfile {
  const appKeyEnv = envName('--app-key-env', o.appKeyEnv);
  const appSecretEnv = envName('--app-secret-env', o.appSecretEnv);
  const robotCodeEnv = envName('--robot-code-env', o.robotCodeEnv);
  const clientId = oneOf('--client-id', o.clientId, '--app-key-env', appKeyEnv);
  const robotCode = oneOf('--robot-code', o.robotCode, '--robot-code-env', robotCodeEnv);
  const t = text();
  if (!previous) {
    const missing = [!o.group?.length && '--group', !clientId && !appKeyEnv && t.clientIdOrEnv, !appSecretEnv && '--app-secret-env'].filter(
      (m): m is string => typeof m === 'string',
    );
    if (missing.length > 0) throw invalidOption(t.newBridgeNeeds(missing), t.newBridgeHint);
  }
  const ccccHome = o.ccccHome ?? previous?.ccccHome;
  const candidate = {
    id,
    name: o.name ?? previous?.name ?? id,
    ...groupsOf(previous, o),
    ...(ccccHome ? { ccccHome } : {}),
    ...(clientId ? { appKey: clientId } : appKeyEnv ? { appKeyEnv } : { appKey: previous?.appKey, appKeyEnv: previous?.appKeyEnv }),
    ...(robotCode ? { robotCode } : robotCodeEnv ? { robotCodeEnv } : { robotCode: previous?.robotCode, robotCodeEnv: previous?.robotCodeEnv }),
    secret: appSecretEnv ? { from: 'env', name: appSecretEnv } : previous?.secret,
    autoStart: previous?.autoStart ?? false,
    ...(previous?.sandbox ? { sandbox: true } : {}),
    settings: bridgeSettingsSchema.parse({ ...previous?.settings, ...settings }),
    ...(previous?.createdAt !== undefined ? { createdAt: previous.createdAt } : {}),
  };
  const parsed = bridgeProfileSchema.safeParse(candidate);
  if (!parsed.success) throw invalidOption(profileIssue(parsed.error.issues[0], t));
  return parsed.data;
}

/**
 * Why the bridge the options make is not valid, by the option behind the field at fault: the
 * other fields are checked above, option by option, or kept from the bridge as it was.
 */
function profileIssue(issue: { path: PropertyKey[]; message: string } | undefined, t: CliOptionsText['set']): string {
  const field = issue?.path[0];
  if (field === 'name') return t.profile.name;
  if (field === 'groupId' || field === 'moreGroupIds') return t.profile.groups;
  if (field === 'appKey') return t.profile.clientId;
  if (field === 'robotCode') return t.profile.robotCode;
  return t.profile.other(issue?.path.map(String).join('.') || 'bridge', issue?.message ?? 'invalid');
}

/**
 * The groups after the options: `--group` names them all (the first keeps the bridge's files),
 * `--all-groups` adds every group of the CCCC home; neither: as they were.
 */
function groupsOf(previous: BridgeProfile | undefined, o: SetOptions): Pick<BridgeProfile, 'moreGroupIds' | 'allGroups'> & { groupId?: string } {
  const [first, ...more] = o.group ?? [];
  if (first === undefined && !o.allGroups) {
    if (!previous) return {};
    return {
      groupId: previous.groupId,
      ...(previous.moreGroupIds ? { moreGroupIds: previous.moreGroupIds } : {}),
      ...(previous.allGroups ? { allGroups: true } : {}),
    };
  }
  const groupId = first ?? previous?.groupId;
  if (groupId === undefined) throw invalidOption(text().allGroupsNeedsGroup);
  return {
    groupId,
    ...(more.length > 0 ? { moreGroupIds: more } : first === undefined && previous?.moreGroupIds ? { moreGroupIds: previous.moreGroupIds } : {}),
    ...(o.allGroups ? { allGroups: true } : {}),
  };
}

function groupsLine(p: BridgeProfile): string {
  const { ids, all } = servedGroups(p);
  return all ? `every group of this CCCC (first: ${ids[0]}${ids.length > 1 ? `, named: ${ids.join(', ')}` : ''})` : ids.join(', ');
}

function secretLine(p: BridgeProfile): string {
  const { secret } = p;
  if (secret.from === 'env') return `from $${secret.name}`;
  if (secret.from === 'file') return 'in secrets.json (typed into the page of `cccc-dingtalk serve`)';
  return `kept by ${SECRET_KEPT_BY.keychain} — start it there, or \`cccc-dingtalk set ${p.id} --app-secret-env VAR\``;
}

export async function setCommand(options: SetOptions): Promise<number | void> {
  if (options.target !== undefined && options.bridge !== undefined && options.target !== options.bridge)
    throw invalidOption(text().nameOnce(options.target, options.bridge));
  const ref = options.target ?? options.bridge;
  const { configHome, configFile } = configLocation();
  const store = configStore();
  const before = await store.read();
  const chosen = chooseBridge(before, ref, configFile);
  const existing = chosen.previous;
  // A scanned app's credentials go to the variables named, or those the bridge reads already, or the usual ones.
  const o: SetOptions = options.scan
    ? {
        ...options,
        appKeyEnv: options.appKeyEnv ?? existing?.appKeyEnv ?? 'DINGTALK_APP_KEY',
        appSecretEnv: options.appSecretEnv ?? (existing?.secret.from === 'env' ? existing.secret.name : 'DINGTALK_APP_SECRET'),
      }
    : options;
  const settings = settingsPatch(o);
  // The people this bridge has seen (as the app's allowlist picker offers them); read once, if needed.
  let seen: Promise<Person[]> | undefined;
  const people = (): Promise<Person[]> => (seen ??= new ChatDirectory(bridgePaths(configHome, chosen.id).state, { readOnly: true }).people().catch(() => []));
  const access = await accessPolicyFrom(o, chosen.previous?.settings.access, people);
  if (access) settings.access = access.policy;
  // Checked before anything is saved: the options must make a valid bridge.
  const checked = applyOptions(chosen.previous, chosen.id, o, settings);
  if (o.scan && checked.appKeyEnv && checked.secret.from === 'env') {
    // Before anything is written: a scan that made no app changes nothing.
    const failed = await scanForSet({ appKeyEnv: checked.appKeyEnv, appSecretEnv: checked.secret.name });
    if (failed !== undefined) return failed;
  }

  // Applied to the bridge as it is now on disk: an edit the app saved meanwhile stays.
  const { previous, profile } = await store.update((config) => {
    const i = config.bridges.findIndex((b) => b.id === chosen.id);
    const was = i >= 0 ? config.bridges[i] : undefined;
    const next = applyOptions(was, chosen.id, o, settings);
    if (was) config.bridges[i] = next;
    else config.bridges.push(next);
    return { previous: was, profile: next };
  });

  const ccccHomeOf = (p: BridgeProfile): string => p.ccccHome ?? resolveCcccHome({});
  const target = { bridgeId: profile.id, groupId: previous?.groupId ?? profile.groupId, ccccHome: ccccHomeOf(previous ?? profile), configHome };
  const holder = previous ? await groupHolder(target) : undefined;
  const runningIn = holder && isSameBridge(target, holder) ? holder : undefined;

  out(`${previous ? 'Updated' : 'Configured'} bridge "${profile.id}" in ${configFile}`);
  if (profile.name !== profile.id) out(`  Name:        ${profile.name}`);
  out(`  CCCC group${servesSeveral(profile) ? 's:' : ': '} ${groupsLine(profile)}${profile.ccccHome ? ` (CCCC_HOME ${profile.ccccHome})` : ''}`);
  out(`  Client ID:   ${profile.appKeyEnv ? `from $${profile.appKeyEnv}` : profile.appKey}`);
  out(`  AppSecret:   ${secretLine(profile)}`);
  if (profile.robotCodeEnv || profile.robotCode) out(`  RobotCode:   ${profile.robotCodeEnv ? `from $${profile.robotCodeEnv}` : profile.robotCode}`);
  const s = profile.settings;
  out(`  Replies in ${s.replyLanguage === 'zh' ? 'Chinese' : 'English'}; files up to ${s.maxFileMb} MB; texts up to ${s.maxMessageChars} characters`);
  out(`  Who may command the agents: ${describeAccess(s.access, s.access.mode === 'allowlist' ? await people() : [])}`);
  out(`  DingTalk API budget: ${s.monthlyApiBudget === null ? 'none' : `${s.monthlyApiBudget} calls a month`}`);
  for (const [label, value] of cardSettingsLines(s)) out(`  ${label}${value}`);
  const unknown = [...new Set([...(access?.unknown ?? []), ...(o.approver ? await unknownPeople(s.approvers, people) : [])])];
  if (unknown.length)
    out(
      `Note: ${unknown.join(', ')} ${unknown.length === 1 ? 'has' : 'have'} not written to the robot yet — check the staff id${unknown.length === 1 ? '' : 's'}.`,
    );
  if (previous) {
    const side = (p: BridgeProfile) => ({ groupId: p.groupId, ccccHome: ccccHomeOf(p), appKey: appKeyOf(p, process.env), appKeyEnv: p.appKeyEnv });
    for (const line of impactLines(await editImpact(side(previous), side(profile), runningIn !== undefined))) out(line);
  }
  const unset = [profile.appKeyEnv, profile.secret.from === 'env' ? profile.secret.name : undefined].filter(
    (n): n is string => Boolean(n) && !process.env[n ?? '']?.trim(),
  );
  if (unset.length > 0)
    out(
      `Note: ${unset.join(' and ')} ${unset.length === 1 ? 'is' : 'are'} not set in this shell — export ${unset.length === 1 ? 'it' : 'them'} before \`cccc-dingtalk start\`.`,
    );
  if (!previous) out('Next: `cccc-dingtalk doctor`, then `cccc-dingtalk start --detach`.');
  else if (runningIn?.host === 'app' || runningIn?.host === 'serve')
    out(
      `It runs in ${runningIn.host === 'app' ? 'the desktop app' : '`cccc-dingtalk serve`'} (pid ${runningIn.pid}), which restarts it with the new settings.`,
    );
  else if (runningIn) out('The running bridge keeps its old settings until it is restarted (`cccc-dingtalk stop`, then `cccc-dingtalk start --detach`).');
}
