/**
 * Everything the robot says, in 中文 and English. A typed catalog rather than i18next: the
 * compiler checks that both languages have every reply with the same parameters, and the
 * bot's few dozen sentences need no runtime loader.
 */
export type ReplyLanguage = 'zh' | 'en';

export interface ActorLine {
  id: string;
  title: string;
  role: 'foreman' | 'peer';
  running: boolean;
  runtime?: string;
}

export interface StatusFacts {
  groupTitle: string;
  groupId: string;
  state: string;
  running: boolean;
  actors: ActorLine[];
  chat: { subscribed: boolean; verbose: boolean; paused: boolean };
}

export interface Replies {
  subscribePending(key: string, groupId: string): string;
  subscribeThrottled(minutes: number): string;
  alreadySubscribed(): string;
  resubscribed(): string;
  subscribedConfirmed(): string;
  unsubscribed(): string;
  /**
   * Markdown, with a tappable /subscribe: the chat is not subscribed. `delivered`: the message went
   * to the agents all the same (the chat is authorized), only their replies will not come here.
   */
  notSubscribed(delivered: boolean): string;
  /** A message went to the agents while the chat is paused: their replies wait for /resume. */
  pausedHeld(): string;
  noAgent(name: string, known: string[]): string;
  emptyMessage(): string;
  paused(): string;
  alreadyPaused(): string;
  resumed(heldBack: number): string;
  verbose(on: boolean): string;
  launched(actors: string[]): string;
  quit(actors: string[]): string;
  unknownCommand(word: string): string;
  unsupportedType(msgtype: string): string;
  fileTooLarge(fileName: string, limitMb: number): string;
  fileFailed(fileName: string, reason: string): string;
  tooLong(chars: number, limit: number): string;
  unreadable(): string;
  deliveryFailed(reason: string): string;
  accessDenied(policy: 'admins' | 'allowlist', staffId: string | undefined): string;
  /** A message waits because CCCC is not running; it goes when CCCC is back. */
  waitingForCccc(): string;
  error(reason: string): string;
  status(facts: StatusFacts): string;
  contextEmpty(): string;
  /** The headings of /context. */
  contextLabels: { objective: string; focus: string; tasks: string; waiting: string };
  /** A task's status in /context (CCCC's planned, active, done, archived; others as they are). */
  taskStatus(status: string): string;
  /** Titles of the Markdown replies: what DingTalk shows in the chat list and notifications. */
  titles: { subscribe: string; context: string; notSubscribed: string };
  /** Who speaks in a CCCC notice (CCCC's own bridge says SYSTEM). */
  systemLabel: string;
  heldBackNotice(count: number): string;
  /** Held messages whose record was damaged on disk while the bridge was stopped. */
  heldLost(count: number): string;
  /** Messages of this chat whose journal lines were damaged on disk while the bridge was stopped. */
  damagedOnDisk(fromYou: number, forYou: number): string;
  /** Sent directly (nothing can be queued): the person's message waits for disk space. */
  diskFull(): string;
}

const dot = (running: boolean) => (running ? '🟢' : '⚪');

/** A tappable command in Markdown: DingTalk sends it when tapped. */
const tap = (command: string) => `[${command}](${commandLink(command)})`;

/** CCCC's words in Chinese: group states, task statuses, roles; a word CCCC adds later is shown as CCCC says it. */
const ZH_GROUP_STATE: Record<string, string> = { active: '活跃', idle: '空闲', paused: '已暂停', stopped: '已停止' };
const ZH_TASK_STATUS: Record<string, string> = { planned: '计划中', active: '进行中', done: '已完成', archived: '已归档' };
const ZH_ROLE: Record<string, string> = { foreman: '主管', peer: '成员' };
const zhOf = (words: Record<string, string>, word: string): string => (Object.hasOwn(words, word) ? words[word] : undefined) ?? word;

const zh: Replies = {
  subscribeThrottled: (m) => `⏳ 订阅申请太频繁了，请 ${m} 分钟后再试。`,
  subscribePending: (key, groupId) =>
    [
      '🔑 订阅申请已创建，需要 CCCC 管理员批准：',
      `- 在 CCCC 桥接应用的「控制台」中点击 **批准**；`,
      `- 或在 CCCC Web UI → 设置 → IM Bridge → Pending Requests 中批准；`,
      `- 或运行：\`cccc im bind --key ${key} --group ${groupId}\``,
      '',
      `申请码 \`${key}\`，10 分钟内有效。`,
    ].join('\n'),
  alreadySubscribed: () => '✅ 本会话已订阅，智能体的回复会发到这里。发送 /help 查看命令。',
  resubscribed: () => '✅ 已重新订阅。',
  subscribedConfirmed: () => '✅ 订阅已批准！直接发消息给 foreman，或用 /send @某个智能体 …。发送 /help 查看全部命令。',
  unsubscribed: () => '👋 已取消订阅，并撤销了本会话的授权。需要时再发送 /subscribe。',
  notSubscribed: (delivered) =>
    delivered
      ? `📭 消息已送给智能体，但本会话没有订阅，它们的回复不会发到这里。点击 ${tap('/subscribe')} 重新订阅。`
      : `🔒 本会话还没有接入 CCCC，消息没有转给智能体。点击 ${tap('/subscribe')} 申请订阅（需要管理员批准）。`,
  pausedHeld: () => '⏸️ 已暂停：消息已送给智能体，它们的回复会暂存，发送 /resume 后补发。',
  noAgent: (name, known) => `没有智能体 @${name} —— 试试 /status。可用：${known.map((k) => `@${k}`).join('、')}`,
  emptyMessage: () => '消息是空的，请在命令后写上内容，例如：/send @foreman 请检查代码',
  paused: () => '⏸️ 已暂停推送。智能体的消息会暂存，发送 /resume 后补发。',
  alreadyPaused: () => '⏸️ 推送已处于暂停状态，发送 /resume 恢复。',
  resumed: (n) => (n > 0 ? `▶️ 已恢复推送，暂停期间有 ${n} 条消息，马上补发。` : '▶️ 已恢复推送。'),
  verbose: (on) => (on ? '🔊 详细模式已开启：也会看到智能体之间的消息。' : '🔈 详细模式已关闭：只看发给你的消息。'),
  launched: (actors) => (actors.length ? `🚀 已启动：${actors.join('、')}` : '🚀 工作组已在运行。'),
  quit: (actors) => (actors.length ? `🛑 已停止：${actors.join('、')}` : '🛑 工作组已停止。'),
  unknownCommand: (word) => `未知命令 ${word}，发送 /help 查看可用命令。`,
  unsupportedType: (t) => `暂不支持这种消息类型（${t}）。请发送文字、图片、文件、语音或视频。`,
  fileTooLarge: (f, mb) => `文件「${f}」超过 ${mb} MB 的上限，未转发。（上限在桥接应用的「设置 → 接收钉钉文件的大小上限（MB）」）`,
  fileFailed: (f, reason) => `文件「${f}」没能转发：${reason}`,
  tooLong: (n, limit) =>
    `⚠️ 消息太长：${n} 个字符，上限是 ${limit}。消息未转发，请拆成几条发送，或作为文件发送。（上限在桥接应用的「设置 → 接收钉钉文字消息的长度上限（字符）」）`,
  unreadable: () => '⚠️ 桥接无法读取这条消息，未转发给智能体。请换一种形式再发一次（例如作为文件）。',
  deliveryFailed: (reason) => `⚠️ 消息没能送达智能体：${reason}`,
  accessDenied: (policy, staffId) =>
    `🔒 ${policy === 'admins' ? '只有钉钉管理员' : '只有授权的成员'}可以给智能体下指令（桥接应用的「设置 → 谁可以指挥智能体」是「${policy === 'admins' ? '仅管理员' : '仅以下人员'}」）。请联系运行 CCCC 桥接的同事，在那里选择「仅以下人员」并勾选你${staffId ? `（员工 ID：${staffId}）` : ''}。`,
  waitingForCccc: () => 'CCCC 没有运行 —— 请在电脑上用 `cccc` 启动它。消息会在 CCCC 恢复后自动送达。',
  error: (reason) => `⚠️ ${reason}`,
  status: (f) =>
    [
      `**${f.groupTitle}** (${f.groupId})`,
      `状态：${zhOf(ZH_GROUP_STATE, f.state)} · ${f.running ? '🟢 运行中' : '⚪ 未运行'}`,
      '',
      ...f.actors.map(
        (a) => `- ${dot(a.running)} ${a.title}${a.title !== a.id ? ` (@${a.id})` : ''} · ${zhOf(ZH_ROLE, a.role)}${a.runtime ? ` · ${a.runtime}` : ''}`,
      ),
      ...(f.actors.length ? [] : ['（还没有智能体）']),
      '',
      `本会话：${f.chat.subscribed ? '已订阅' : '未订阅'} · 详细模式${f.chat.verbose ? '开' : '关'} · ${f.chat.paused ? '已暂停' : '推送中'}`,
    ].join('\n'),
  contextEmpty: () => '工作组还没有设定目标或任务。',
  contextLabels: { objective: '目标', focus: '当前重点', tasks: '任务', waiting: '等你回复' },
  taskStatus: (status) => zhOf(ZH_TASK_STATUS, status),
  titles: { subscribe: '订阅申请', context: '目标与任务', notSubscribed: '未订阅' },
  systemLabel: '系统',
  heldBackNotice: (n) => `（还有 ${n} 条较早的消息已合并省略，可在 CCCC Web UI 查看全部。）`,
  damagedOnDisk: (fromYou, forYou) =>
    `⚠️ 桥接程序停止期间，磁盘上的记录损坏：${[fromYou > 0 ? `你发送的 ${fromYou} 条消息未能送达智能体，请重新发送` : '', forYou > 0 ? `智能体发给你的 ${forYou} 条消息无法补发，请在 CCCC Web UI 查看` : ''].filter(Boolean).join('；')}。`,
  heldLost: (n) => `⚠️ 暂停期间暂存的 ${n} 条消息在磁盘上已损坏，无法补发，请在 CCCC Web UI 查看。`,
  diskFull: () => '⚠️ 桥接服务所在电脑的磁盘已满，你的消息暂时无法收下。腾出空间后会自动送达（钉钉会重新推送），无需重发。',
};

const en: Replies = {
  subscribeThrottled: (m) => `⏳ Too many subscription requests. Please try again in ${m} min.`,
  subscribePending: (key, groupId) =>
    [
      '🔑 Subscription requested. A CCCC admin needs to approve it:',
      '- click **Approve** on the CCCC DingTalk Bridge dashboard;',
      '- or in the CCCC Web UI → Settings → IM Bridge → Pending Requests;',
      `- or run: \`cccc im bind --key ${key} --group ${groupId}\``,
      '',
      `Key \`${key}\`, valid for 10 minutes.`,
    ].join('\n'),
  alreadySubscribed: () => '✅ This chat is already subscribed; agent replies come here. Send /help for commands.',
  resubscribed: () => '✅ Subscribed again.',
  subscribedConfirmed: () => '✅ Subscription approved! Write to the foreman directly, or use /send @agent …. Send /help for all commands.',
  unsubscribed: () => '👋 Unsubscribed, and this chat’s authorization was revoked. Send /subscribe to come back.',
  notSubscribed: (delivered) =>
    delivered
      ? `📭 Your message went to the agents, but this chat is not subscribed, so their replies will not come here. Tap ${tap('/subscribe')} to subscribe again.`
      : `🔒 This chat is not connected to CCCC yet; your message was not passed on. Tap ${tap('/subscribe')} to ask for access (an admin approves it).`,
  pausedHeld: () => '⏸️ Paused — your message went to the agents; their replies are held until /resume.',
  noAgent: (name, known) => `No agent @${name} — try /status. Known: ${known.map((k) => `@${k}`).join(', ')}`,
  emptyMessage: () => 'The message is empty — write something after the command, e.g. /send @foreman please check the code',
  paused: () => '⏸️ Delivery paused. Agent messages are kept and sent after /resume.',
  alreadyPaused: () => '⏸️ Delivery is already paused; send /resume to continue.',
  resumed: (n) => (n > 0 ? `▶️ Delivery resumed; ${n} message${n === 1 ? '' : 's'} held while paused follow now.` : '▶️ Delivery resumed.'),
  verbose: (on) => (on ? '🔊 Verbose on: you also see messages between agents.' : '🔈 Verbose off: you see only messages for you.'),
  launched: (actors) => (actors.length ? `🚀 Started: ${actors.join(', ')}` : '🚀 The group is already running.'),
  quit: (actors) => (actors.length ? `🛑 Stopped: ${actors.join(', ')}` : '🛑 The group is stopped.'),
  unknownCommand: (word) => `Unknown command ${word} — send /help for the list.`,
  unsupportedType: (t) => `This message type (${t}) is not supported yet. Send text, pictures, files, voice or video.`,
  fileTooLarge: (f, mb) =>
    `“${f}” is larger than the ${mb} MB limit and was not forwarded. (The limit is the bridge’s Settings → “Largest file accepted from DingTalk (MB)”.)`,
  fileFailed: (f, reason) => `Could not forward “${f}”: ${reason}`,
  tooLong: (n, limit) =>
    `⚠️ Message too long: ${n} characters, the limit is ${limit}. It was not forwarded; split it into several messages or send it as a file. (The limit is the bridge’s Settings → “Longest text accepted from DingTalk (characters)”.)`,
  unreadable: () => '⚠️ The bridge could not read this message and did not forward it to the agents. Please send it again in another form (e.g. as a file).',
  deliveryFailed: (reason) => `⚠️ Your message did not reach the agents: ${reason}`,
  accessDenied: (policy, staffId) =>
    `🔒 Only ${policy === 'admins' ? 'DingTalk admins' : 'the people listed'} may command the agents (the bridge’s Settings → “Who may command the agents” is “${policy === 'admins' ? 'Admins only' : 'Only these people'}”). Ask whoever runs the CCCC bridge to choose “Only these people” there and tick you${staffId ? ` (staff id: ${staffId})` : ''}.`,
  waitingForCccc: () => 'CCCC is not running — start it with `cccc` on its machine. Your message will be delivered when CCCC is back.',
  error: (reason) => `⚠️ ${reason}`,
  status: (f) =>
    [
      `**${f.groupTitle}** (${f.groupId})`,
      `State: ${f.state} · ${f.running ? '🟢 running' : '⚪ not running'}`,
      '',
      ...f.actors.map((a) => `- ${dot(a.running)} ${a.title}${a.title !== a.id ? ` (@${a.id})` : ''} · ${a.role}${a.runtime ? ` · ${a.runtime}` : ''}`),
      ...(f.actors.length ? [] : ['(no agents yet)']),
      '',
      `This chat: ${f.chat.subscribed ? 'subscribed' : 'not subscribed'} · verbose ${f.chat.verbose ? 'on' : 'off'} · ${f.chat.paused ? 'paused' : 'delivering'}`,
    ].join('\n'),
  contextEmpty: () => 'The group has no objective or tasks yet.',
  contextLabels: { objective: 'Objective', focus: 'Focus', tasks: 'Tasks', waiting: 'Waiting on you' },
  taskStatus: (status) => status,
  titles: { subscribe: 'Subscription request', context: 'Objective and tasks', notSubscribed: 'Not subscribed' },
  systemLabel: 'SYSTEM',
  heldBackNotice: (n) => `(${n} earlier message${n === 1 ? ' was' : 's were'} folded; see the CCCC Web UI for all of them.)`,
  damagedOnDisk: (fromYou, forYou) =>
    `⚠️ The bridge's records were damaged on disk while it was stopped: ${[fromYou > 0 ? `${fromYou} message${fromYou === 1 ? '' : 's'} you sent did not reach the agents, please send ${fromYou === 1 ? 'it' : 'them'} again` : '', forYou > 0 ? `${forYou} message${forYou === 1 ? '' : 's'} from the agents cannot be sent, see the CCCC Web UI` : ''].filter(Boolean).join('; ')}.`,
  heldLost: (n) =>
    `⚠️ ${n} message${n === 1 ? '' : 's'} held while paused ${n === 1 ? 'was' : 'were'} damaged on disk and cannot be sent; see the CCCC Web UI.`,
  diskFull: () =>
    "⚠️ The disk of the bridge's computer is full, so your message cannot be taken in yet. It will be delivered by itself once space is freed (DingTalk sends it again) — no need to resend.",
};

export const REPLIES: Record<ReplyLanguage, Replies> = { zh, en };

export interface HelpEntry {
  command: string;
  zh: string;
  en: string;
  /** Listed only when the robot serves several CCCC groups (docs/architecture.md §1). */
  severalGroups?: true;
}

export const HELP: HelpEntry[] = [
  { command: '/subscribe', zh: '订阅：接收 CCCC 的消息', en: 'Start receiving messages from CCCC' },
  {
    command: '/groups',
    zh: '这个机器人服务的工作组；点一个可订阅或换过去',
    en: 'The groups this robot serves; tap one to subscribe or move there',
    severalGroups: true,
  },
  { command: '/unsubscribe', zh: '取消订阅（并撤销授权）', en: 'Stop receiving messages (and revoke)' },
  { command: '/send <消息>', zh: '发给 foreman（直接发文字也一样）', en: 'Send to the foreman (plain text does the same)' },
  { command: '/send @<智能体> <消息>', zh: '发给指定智能体', en: 'Send to a specific agent' },
  { command: '/send @all <消息>', zh: '发给所有智能体', en: 'Send to all agents' },
  { command: '/send @peers <消息>', zh: '发给除 foreman 外的智能体', en: 'Send to non-foreman agents' },
  { command: '/status', zh: '工作组和智能体状态', en: 'Group and agent status' },
  { command: '/context', zh: '目标、当前重点和任务', en: 'Objective, focus and tasks' },
  { command: '/pause', zh: '暂停推送（消息会暂存）', en: 'Pause delivery (messages are kept)' },
  { command: '/resume', zh: '恢复推送并补发', en: 'Resume delivery and catch up' },
  { command: '/verbose', zh: '切换详细模式（看到智能体之间的消息）', en: 'Toggle verbose (see agent-to-agent messages)' },
  { command: '/launch', zh: '启动工作组的智能体', en: 'Start the group’s agents' },
  { command: '/quit', zh: '停止工作组的智能体', en: 'Stop the group’s agents' },
  { command: '/help', zh: '显示本帮助', en: 'Show this help' },
];

/** A link that makes the DingTalk client send `text` when tapped. */
export function commandLink(text: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`;
}

/** The commands /help lists: `/groups` only when the robot serves several groups. */
export function helpEntries(severalGroups: boolean): HelpEntry[] {
  return HELP.filter((h) => severalGroups || !h.severalGroups);
}

/** /help as DingTalk Markdown: each runnable command is a tappable link. */
export function helpMarkdown(lang: ReplyLanguage, severalGroups = false): { title: string; text: string } {
  const title = lang === 'zh' ? 'CCCC 命令' : 'CCCC commands';
  const lines = helpEntries(severalGroups).map((h) => {
    const runnable = !h.command.includes('<');
    const label = runnable ? `[${h.command}](${commandLink(h.command)})` : `\`${h.command}\``;
    return `- ${label} — ${h[lang]}`;
  });
  const footer = lang === 'zh' ? '点击命令即可发送。直接发文字 = 发给 foreman。' : 'Tap a command to send it. Plain text goes to the foreman.';
  return { title, text: [`### ${title}`, '', ...lines, '', footer].join('\n') };
}
