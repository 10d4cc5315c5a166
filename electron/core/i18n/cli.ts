/** `cccc-dingtalk --help`: every command's and option's description, in English and 中文 (see README.md). */
import type { Language } from '../../shared/api';

const en = {
  program: 'Connect a CCCC working group to DingTalk — headless bridge for servers.',
  bridge: 'which configured bridge (default: the only one)',
  json: 'machine-readable output',
  verboseChats: 'show chat ids next to the names',
  debug: 'log debug details too',
  /** Commander's own words. */
  help: {
    option: 'display help for command',
    command: 'display help for command',
    version: 'output the version number',
    afterError: '(run with --help for usage)',
    defaultValue: (value: string) => ` (default: ${value})`,
    /** The headings commander prints, by its own English words. */
    titles: { 'Usage:': 'Usage:', 'Options:': 'Options:', 'Commands:': 'Commands:', 'Arguments:': 'Arguments:', 'Global Options:': 'Global Options:' },
    /** Commander's own errors about the command line, in its own English words (main.ts finds them). */
    errors: {
      unknownOption: (flag: string) => `error: unknown option '${flag}'`,
      unknownCommand: (name: string) => `error: unknown command '${name}'`,
      argumentMissing: (flags: string) => `error: option '${flags}' argument missing`,
      missingArgument: (name: string) => `error: missing required argument '${name}'`,
      /** `command`: absent for the program's own arguments. */
      tooManyArguments: (command: string | undefined, expected: number, got: number) =>
        `error: too many arguments${command ? ` for '${command}'` : ''}. Expected ${expected} argument${expected === 1 ? '' : 's'} but got ${got}.`,
      didYouMean: (similar: string) => `(Did you mean ${similar}?)`,
      didYouMeanOneOf: (similar: readonly string[]) => `(Did you mean one of ${similar.join(', ')}?)`,
    },
  },
  set: {
    description:
      'create a bridge or edit one (like `cccc im set dingtalk`), also one made in the desktop app; secrets are given as environment variable NAMES; only what is given changes',
    target: 'the bridge to create or edit: its id or name (default: the only one, or "default")',
    bridge: 'the same as the argument',
    name: 'the name the app and `status` show',
    group:
      "CCCC group id (`cccc groups` lists them); repeat it for one robot serving several groups (the first keeps the bridge's files); moving a bridge says what happens to its subscriptions",
    allGroups: 'serve every group of this CCCC (groups created while it runs are taken in within 30 s), each chat bound to the group it subscribed to',
    clientId: 'the Client ID (AppKey) itself; replaces --app-key-env',
    appKeyEnv: 'environment variable holding the AppKey (Client ID)',
    appSecretEnv: 'environment variable holding the AppSecret (Client Secret)',
    robotCode: 'the RobotCode itself (optional; default: the Client ID); replaces --robot-code-env',
    robotCodeEnv: 'environment variable holding the RobotCode (optional)',
    lang: "language of the robot's replies",
    access: 'who in an authorized chat may command the agents',
    allow: 'with --access allowlist: the staff ids allowed, separated by commas (without ids: the people who have written to the robot are listed)',
    maxFileMb: 'largest inbound file, in MB',
    maxMessageChars: 'longest inbound text, in characters (longer ones are answered "too long"; default 20000)',
    apiBudget:
      'DingTalk API calls a calendar month may take ("none": no budget, the default); from 80 % cards update less, from 100 % answers go as plain messages',
    cards: "live answers: agents' streamed answers grow in AI cards (on, the default) or go out as messages (off)",
    cardTemplate: 'the AI-card template, from DingTalk\'s card platform, like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema ("default": DingTalk\'s public one)',
    buttonCards: 'answer /subscribe, /status and /help with cards whose buttons act (on, the default, once a template is set) or as messages (off)',
    buttonCardTemplate:
      'the template for cards with buttons, made in the card platform with the variables title, markdown, note, buttons, version (docs/dingtalk-protocol.md, "Cards with buttons"); "none": plain replies (the default)',
    approver: 'a staff id who may approve or reject /subscribe from its card; repeat it for each person (replaces the list)',
    noApprovers: "nobody approves from the card (the default): approval stays in the app, the CLI and CCCC's Web UI",
    ccccHome: 'CCCC_HOME for this bridge (default: $CCCC_HOME or ~/.cccc at start)',
    scan: 'create the DingTalk app with one scan: prints a QR code for DingTalk, then the new Client Secret once, for the environment variable',
  },
  start: {
    description: 'run the bridge (foreground; Ctrl-C stops it) or, with --detach, in the background',
    detach: 'run in the background; return once connected (or print the problem)',
    waitTimeout: 'with --detach: how long to wait for the connection',
  },
  stop: {
    description: 'stop the running bridge',
    timeout: 'how long to wait for it to exit',
  },
  status: {
    description: 'running? DingTalk and CCCC links, chats, pending requests, outbox, last error (exit 3 when not running)',
  },
  logs: {
    description: "show the bridge's log",
    lines: 'how many of the newest lines',
    follow: 'keep printing new lines until Ctrl-C',
    json: 'one JSON record per line',
  },
  doctor: {
    description:
      'check CCCC, the group, the credentials, the Stream connection and competing bridges; explain what fails (no bridge configured yet: check this machine and say how to set one up)',
    timeout: 'how long to wait for the Stream connection',
  },
  pending: { description: 'list subscription requests waiting for approval' },
  approve: { description: 'approve a /subscribe request (like `cccc im bind --key`)', key: 'the key the robot gave the chat' },
  reject: { description: 'reject a /subscribe request', key: 'the key the robot gave the chat' },
  serve: {
    description: "the desktop app's setup wizard and dashboard in a browser: runs the bridges and serves the UI on 127.0.0.1 with a token",
    port: 'port to listen on (default: a free one)',
    open: 'open the page in the default browser',
    json: 'print {url, origin, port, token} as one JSON line',
    quiet: 'log only warnings and errors to stderr',
  },
};

export type CliText = typeof en;

const zh: CliText = {
  program: '把 CCCC 工作组接入钉钉——适用于服务器的无界面桥接。',
  bridge: '使用哪个已配置的桥接（默认：唯一的那个）',
  json: '机器可读的输出',
  verboseChats: '在聊天名称旁显示聊天 ID',
  debug: '同时记录调试信息',
  help: {
    option: '显示命令帮助',
    command: '显示命令帮助',
    version: '显示版本号',
    afterError: '（加 --help 查看用法）',
    defaultValue: (value: string) => `（默认：${value}）`,
    titles: { 'Usage:': '用法：', 'Options:': '选项：', 'Commands:': '命令：', 'Arguments:': '参数：', 'Global Options:': '全局选项：' },
    errors: {
      unknownOption: (flag) => `error: 没有 '${flag}' 这个选项`,
      unknownCommand: (name) => `error: 没有 '${name}' 这个命令`,
      argumentMissing: (flags) => `error: 选项 '${flags}' 缺少取值`,
      missingArgument: (name) => `error: 缺少必需的参数 '${name}'`,
      tooManyArguments: (command, expected, got) => `error: ${command ? `'${command}' 的` : ''}参数太多：应为 ${expected} 个，实际给了 ${got} 个。`,
      didYouMean: (similar) => `（是不是想用 ${similar}？）`,
      didYouMeanOneOf: (similar) => `（是不是想用其中之一：${similar.join('、')}？）`,
    },
  },
  set: {
    description: '创建或修改桥接（与 `cccc im set dingtalk` 相同），桌面应用里建的也可以；密钥以环境变量的名字给出；只改给出的项',
    target: '要创建或修改的桥接：ID 或名称（默认：唯一的那个，或 "default"）',
    bridge: '同参数',
    name: '应用和 `status` 显示的名称',
    group: 'CCCC 工作组 ID（`cccc groups` 可列出）；可重复，让一个机器人服务多个工作组（第一个沿用桥接原有的文件）；换组时会说明订阅会怎样',
    allGroups: '服务本 CCCC 的所有工作组（运行中新建的工作组 30 秒内接入），每个会话绑定到它订阅的工作组',
    clientId: 'Client ID（AppKey）本身；取代 --app-key-env',
    appKeyEnv: '存放 AppKey（Client ID）的环境变量',
    appSecretEnv: '存放 AppSecret（Client Secret）的环境变量',
    robotCode: 'RobotCode 本身（可选；默认用 Client ID）；取代 --robot-code-env',
    robotCodeEnv: '存放 RobotCode 的环境变量（可选）',
    lang: '机器人回复所用的语言',
    access: '已授权会话中谁可以指挥智能体',
    allow: '配合 --access allowlist：允许的员工 ID，用逗号分隔（不给 ID 时列出给机器人发过消息的人）',
    maxFileMb: '接收文件的大小上限，单位 MB',
    maxMessageChars: '接收文本的长度上限，单位字符（更长的会回复“太长”；默认 20000）',
    apiBudget: '每个自然月可用的钉钉 API 调用次数（"none"：不设预算，默认）；达到 80 % 起卡片更新变少，达到 100 % 起以普通消息回复',
    cards: '实时回答：智能体流式输出的回答在 AI 卡片中逐步显示（on，默认），或以消息发送（off）',
    cardTemplate: 'AI 卡片模板，来自钉钉卡片平台，形如 xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.schema（"default"：钉钉公共模板）',
    buttonCards: '用带按钮的卡片回复 /subscribe、/status 和 /help（on，默认，需先设置模板），或以消息回复（off）',
    buttonCardTemplate:
      '带按钮卡片的模板，在卡片平台中创建，变量为 title、markdown、note、buttons、version（见 docs/dingtalk-protocol.md“Cards with buttons”）；"none"：普通消息回复（默认）',
    approver: '可在卡片上批准或拒绝 /subscribe 的员工 ID；每人写一次（替换原名单）',
    noApprovers: '卡片上无人可审批（默认）：仍在应用、命令行和 CCCC 网页界面中审批',
    ccccHome: '此桥接的 CCCC_HOME（默认：启动时的 $CCCC_HOME 或 ~/.cccc）',
    scan: '扫一次码创建钉钉应用：打印供钉钉扫描的二维码，然后只显示一次新的 Client Secret，供放入环境变量',
  },
  start: {
    description: '运行桥接（前台运行，Ctrl-C 停止）；加 --detach 则在后台运行',
    detach: '在后台运行；连接成功后返回（或打印问题）',
    waitTimeout: '配合 --detach：等待连接的时长',
  },
  stop: {
    description: '停止正在运行的桥接',
    timeout: '等待其退出的时长',
  },
  status: {
    description: '是否在运行？钉钉与 CCCC 的连接、会话、待处理申请、发件箱、最近的错误（未运行时退出码为 3）',
  },
  logs: {
    description: '显示桥接日志',
    lines: '显示最新的多少行',
    follow: '持续打印新行，直到按 Ctrl-C',
    json: '每行一条 JSON 记录',
  },
  doctor: {
    description: '检查 CCCC、工作组、凭证、Stream 连接和有冲突的桥接，并说明失败原因（尚未配置桥接时：检查本机并说明如何配置）',
    timeout: '等待 Stream 连接的时长',
  },
  pending: { description: '列出等待批准的订阅申请' },
  approve: { description: '批准 /subscribe 申请（与 `cccc im bind --key` 相同）', key: '机器人发给该会话的密钥' },
  reject: { description: '拒绝 /subscribe 申请', key: '机器人发给该会话的密钥' },
  serve: {
    description: '在浏览器中使用桌面应用的设置向导和仪表盘：运行桥接，并在 127.0.0.1 上凭令牌提供界面',
    port: '监听的端口（默认：任一空闲端口）',
    open: '在默认浏览器中打开页面',
    json: '以一行 JSON 打印 {url, origin, port, token}',
    quiet: '只把警告和错误输出到 stderr',
  },
};

export const CLI_TEXT: Record<Language, CliText> = { en, zh };
