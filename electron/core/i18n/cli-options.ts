/**
 * What is wrong with an option given to `cccc-dingtalk set` (but the card options: cli-cards.ts)
 * or `serve`, or with the bridge a command names (`--bridge`, set's argument), in English and
 * 中文 (the CLI's language follows the locale, locale.ts). The error codes stay the same in both:
 * scripts read those. No text echoes an environment variable's
 * value — one given where its name belongs may be the secret itself.
 */
import type { Language } from '../../shared/api';
import type { Person } from '../bridge/chat-directory';
import { MAX_GROUPS } from '../config/profile';

/** Someone who has written to the robot, as the allowlist hint offers them. */
type OfferedPerson = Pick<Person, 'staffId' | 'nick' | 'isAdmin'>;

const NEW_BRIDGE = 'cccc-dingtalk set --group g_xxx --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET --robot-code-env DINGTALK_ROBOT_CODE';
/** Where the DingTalk admin console shows a person's staff id. */
const STAFF_ID_PLACE = '通讯录 → 成员 → 员工UserID';

const en = {
  /** The bridge named, or none named among several (config/store.ts pickBridge). */
  bridge: {
    ambiguous: (n: number, ref: string) => `${n} bridges are called "${ref}"`,
    byId: (ids: readonly string[]) => `Name it by its id: ${ids.join(', ')}.`,
    unknown: (ref: string, file: string) => `No bridge "${ref}" in ${file}`,
    configured: (known: readonly string[]) => `Configured bridges: ${known.join(', ')}.`,
    configureOne: 'Configure one with `cccc-dingtalk set --group G --app-key-env K --app-secret-env S`.',
    none: 'No bridge is configured yet',
    noneHint: 'Configure one with `cccc-dingtalk set --group G --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET`, or in the app.',
    several: (n: number) => `${n} bridges are configured`,
    pickOne: (known: readonly string[]) => `Pick one with --bridge (${known.join(', ')}).`,
  },
  set: {
    envName: (option: string) => `${option} takes the NAME of an environment variable (like DINGTALK_APP_SECRET), not its value`,
    envNameHint: 'Names are upper-case letters, digits and "_". Export the value under that name.',
    lang: '--lang must be zh or en',
    maxFileMb: '--max-file-mb must be a number of megabytes between 0 and 1024',
    maxMessageChars: '--max-message-chars must be a whole number of characters between 100 and 100000',
    apiBudget: '--api-budget must be a whole number of calls a month (at least 1), or "none"',
    both: (one: string, other: string) => `Give ${one} or ${other}, not both`,
    needsValue: (option: string) => `${option} needs a value`,
    nameOnce: (target: string, bridge: string) => `Name the bridge once: "${target}" or --bridge ${bridge}`,
    noBridge: (ref: string) => `"${ref}" is no bridge, and cannot name a new one`,
    noBridgeHint: 'A new bridge is named by 1–64 letters, digits, ".", "_" or "-" (then --name gives it any name).',
    newBridgeNeeds: (missing: readonly string[]) => `A new bridge needs ${missing.join(', ')}`,
    /** One of the options a new bridge needs. */
    clientIdOrEnv: '--client-id (or --app-key-env)',
    newBridgeHint: `e.g. ${NEW_BRIDGE}`,
    allGroupsNeedsGroup: "--all-groups needs one --group too: the group whose files the bridge keeps where one group's always were",
    /** The bridge the options would make is not valid: by the option behind the field at fault. */
    profile: {
      name: '--name takes 1 to 80 characters',
      groups: `--group names each CCCC group once, none of them empty, at most ${MAX_GROUPS} in all`,
      clientId: '--client-id takes 1 to 128 characters',
      robotCode: '--robot-code takes 1 to 128 characters',
      other: (field: string, problem: string) => `${field}: ${problem}`,
    },
  },
  access: {
    mode: '--access must be everyone, admins or allowlist',
    allowWith: (mode: string) => `--allow goes with --access allowlist, not --access ${mode}`,
    allowIds: (bad: string) => `--allow takes staff ids separated by commas; "${bad}" is not one`,
    needsPeople: 'An allowlist needs the people on it: --allow STAFF_ID[,STAFF_ID…]',
    nobodyYet: `Nobody has written to the robot yet: a person's staff id is in the DingTalk admin console (${STAFF_ID_PLACE}).`,
    person: (p: OfferedPerson) => `${p.staffId} ("${p.nick}"${p.isAdmin ? ', admin' : ''})`,
    people: (listed: readonly string[], more: number) => `People who have written to the robot: ${listed.join(', ')}${more > 0 ? `, and ${more} more` : ''}.`,
  },
  serve: {
    port: '--port must be a port number (0–65535; 0 picks a free one)',
    portInUse: (port: number) => `Port ${port} is already in use`,
    portInUseHint: 'Pick another with --port, or leave it out for a free one.',
  },
};

export type CliOptionsText = typeof en;

const zh: CliOptionsText = {
  bridge: {
    ambiguous: (n, ref) => `有 ${n} 个桥接都叫 "${ref}"`,
    byId: (ids) => `请用 ID 指定：${ids.join('、')}。`,
    unknown: (ref, file) => `${file} 中没有桥接 "${ref}"`,
    configured: (known) => `已配置的桥接：${known.join('、')}。`,
    configureOne: '请先配置一个：`cccc-dingtalk set --group G --app-key-env K --app-secret-env S`。',
    none: '还没有配置任何桥接',
    noneHint: '请用 `cccc-dingtalk set --group G --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET` 配置一个，或者在应用里配置。',
    several: (n) => `已配置了 ${n} 个桥接`,
    pickOne: (known) => `请用 --bridge 选择一个（${known.join('、')}）。`,
  },
  set: {
    envName: (option) => `${option} 要写环境变量的名字（例如 DINGTALK_APP_SECRET），而不是变量的值`,
    envNameHint: '变量名只能由大写字母、数字和 "_" 组成。请用这个名字 export 变量的值。',
    lang: '--lang 只能是 zh 或 en',
    maxFileMb: '--max-file-mb 必须是 0 到 1024 之间的数（单位 MB）',
    maxMessageChars: '--max-message-chars 必须是 100 到 100000 之间的整数（字符数）',
    apiBudget: '--api-budget 必须是每月调用次数（不小于 1 的整数），或者 "none"',
    both: (one, other) => `${one} 和 ${other} 只能给一个`,
    needsValue: (option) => `${option} 不能为空`,
    nameOnce: (target, bridge) => `桥接只能指定一次："${target}" 或 --bridge ${bridge}`,
    noBridge: (ref) => `没有叫 "${ref}" 的桥接，这个名字也不能用来新建桥接`,
    noBridgeHint: '新桥接的 ID 由 1–64 个字母、数字、"."、"_" 或 "-" 组成（之后可以用 --name 起任意名称）。',
    newBridgeNeeds: (missing) => `新建桥接需要 ${missing.join('、')}`,
    clientIdOrEnv: '--client-id（或 --app-key-env）',
    newBridgeHint: `例如：${NEW_BRIDGE}`,
    allGroupsNeedsGroup: '--all-groups 还需要一个 --group：桥接的文件仍按这个工作组存放，和只服务一个工作组时一样',
    profile: {
      name: '--name 须为 1 到 80 个字符',
      groups: `--group：每个 CCCC 工作组只写一次，不能为空，总共最多 ${MAX_GROUPS} 个`,
      clientId: '--client-id 须为 1 到 128 个字符',
      robotCode: '--robot-code 须为 1 到 128 个字符',
      other: (field, problem) => `${field}：${problem}`,
    },
  },
  access: {
    mode: '--access 只能是 everyone、admins 或 allowlist',
    allowWith: (mode) => `--allow 只能和 --access allowlist 一起用，不能和 --access ${mode} 一起用`,
    allowIds: (bad) => `--allow 接受以逗号分隔的员工 ID；"${bad}" 不是员工 ID`,
    needsPeople: '“仅以下人员”需要写明是哪些人：--allow 员工ID[,员工ID…]',
    nobodyYet: `还没有人给机器人发过消息：员工 ID 可在钉钉管理后台查到（${STAFF_ID_PLACE}）。`,
    person: (p) => `${p.staffId}（"${p.nick}"${p.isAdmin ? '，管理员' : ''}）`,
    people: (listed, more) => `给机器人发过消息的人：${listed.join('、')}${more > 0 ? `，另有 ${more} 人` : ''}。`,
  },
  serve: {
    port: '--port 必须是端口号（0–65535；0 表示自动选一个空闲端口）',
    portInUse: (port) => `端口 ${port} 已被占用`,
    portInUseHint: '用 --port 换一个端口，或者不写 --port，自动选一个空闲端口。',
  },
};

export const CLI_OPTIONS_TEXT: Record<Language, CliOptionsText> = { en, zh };
