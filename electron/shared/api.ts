/**
 * The one contract between the UI and the bridge services. Main (over IPC), the headless
 * `serve` mode (over HTTP + server-sent events) and the renderer's client are all typed from
 * this table, so a method without a handler, or a handler with the wrong shape, does not
 * compile. Inputs are validated with these schemas at every boundary (IPC, HTTP).
 *
 * Secrets only ever travel inward: the AppSecret can be set through `saveBridge`, never read.
 */
import { z } from 'zod';

// ---- shared shapes ------------------------------------------------------------------------

export const languageSchema = z.enum(['zh', 'en']);
export type Language = z.infer<typeof languageSchema>;

export const accessPolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('everyone') }),
  z.object({ mode: z.literal('admins') }),
  z.object({ mode: z.literal('allowlist'), staffIds: z.array(z.string().min(1)) }),
]);

/**
 * A card template's id as DingTalk's card platform (卡片平台) shows it: a name ending in
 * `.schema`, a UUID for the platform's own (DingTalk's public AI card is
 * `382e4302-551d-4880-bf29-a30acfab2e71.schema`).
 */
export const cardTemplateIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}\.schema$/, {
    message: 'must be a card template id from DingTalk’s card platform (卡片平台), like 382e4302-551d-4880-bf29-a30acfab2e71.schema',
  });

/**
 * Whether a template id may be saved. It is checked where a person types it, so only when it
 * changes: an id stored by an older version (which took any) still saves as it is.
 * `allowEmpty`: '' means none (plain replies instead of button cards).
 */
export function templateIdOk(id: string, { allowEmpty = false, stored }: { allowEmpty?: boolean; stored?: string } = {}): boolean {
  const given = id.trim();
  return given === stored?.trim() || (allowEmpty && given === '') || cardTemplateIdSchema.safeParse(given).success;
}

/** A DingTalk staff id (员工 UserID): no spaces, no commas, nothing invisible. */
export const STAFF_ID = /^[^\s,\p{Cc}\p{Cf}]{1,64}$/u;

export const bridgeSettingsInputSchema = z.object({
  replyLanguage: languageSchema,
  access: accessPolicySchema,
  maxFileMb: z.number().positive().max(1024),
  /** Longest text taken from DingTalk; longer ones are answered "too long" (the cap keeps such a frame under the Stream client's 1 MB). */
  maxMessageChars: z.number().int().min(100).max(100_000),
  catchUp: z.enum(['resume', 'end']),
  auditContent: z.boolean(),
  thinkingReaction: z.boolean(),
  /** Live answers: agents' streamed answers grow in AI cards (needs the card permissions). */
  cards: z.boolean(),
  /** The AI-card template; DingTalk's public one unless the user made their own. */
  cardTemplateId: z.string().trim().min(1).max(200),
  /** DingTalk API calls a calendar month may take before cards step down (null: no budget). */
  monthlyApiBudget: z.number().int().min(1).max(100_000_000).nullable(),
  /** Answer /subscribe, /status and /help with cards whose buttons act (docs/dingtalk-protocol.md, "Cards with buttons"). */
  buttonCards: z.boolean(),
  /** The DingTalk card template button cards are made from; empty: none yet (plain replies). */
  buttonCardTemplateId: z.string().trim().max(200),
  /** DingTalk staff ids who may approve or reject a /subscribe from its card; empty: approval stays in the app, the CLI and CCCC. */
  approvers: z.array(z.string().min(1)).max(200),
});
export type BridgeSettingsView = z.infer<typeof bridgeSettingsInputSchema>;

/** A problem the user can act on (never a stack trace). */
export interface ProblemView {
  code: string;
  message: string;
  hint?: string;
  retryable: boolean;
  details?: Record<string, unknown>;
}

export type BridgeRunState = 'stopped' | 'starting' | 'running' | 'degraded' | 'error';
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'error';

export interface BridgeStatusView {
  state: BridgeRunState;
  dingtalk: { status: ConnectionState; since?: number; attempt?: number; retryInMs?: number; problem?: ProblemView };
  cccc: { status: 'unknown' | 'up' | 'down'; version?: string; problem?: ProblemView };
  outboxDepth: number;
  inboxDepth: number;
  lastProblem?: ProblemView;
  /** The bridge failed for a reason that may pass; the supervisor starts it again at `at` (ms since epoch). */
  restart?: { attempt: number; at: number };
}

export interface BridgeSummary {
  id: string;
  name: string;
  groupId: string;
  /** The other groups its DingTalk app serves (docs/architecture.md §1). */
  moreGroupIds?: string[];
  /** It serves every group of its CCCC. */
  allGroups?: boolean;
  ccccHome?: string;
  /** The Client ID; with `appKeyEnv`, the value of that variable here ('' when it is not set). */
  appKey: string;
  /** Made with the CLI: the Client ID is read from this environment variable. */
  appKeyEnv?: string;
  robotCode?: string;
  /** Made with the CLI: the RobotCode is read from this environment variable. */
  robotCodeEnv?: string;
  /** Whether an AppSecret is stored (its value never leaves main). */
  secretSet: boolean;
  /** When the AppSecret was last set (ms since epoch). */
  secretUpdatedAt?: number;
  /**
   * Where the secret comes from: this host's store (the app's encrypted vault, the secrets file
   * of `serve`), an environment variable (headless, or Linux without a keyring), or the store of
   * the other host, which this one cannot read: the desktop app's keychain (`app`) or the
   * secrets file of `serve` (`serve`). The profiles themselves are shared (config.json).
   */
  secretSource: 'vault' | 'env' | 'app' | 'serve';
  secretEnv?: string;
  /** Made with "Try it in the sandbox first": talks to the sandbox only; "Stop sandbox" ends it. */
  sandbox?: true;
  autoStart: boolean;
  settings: BridgeSettingsView;
  status: BridgeStatusView;
}

export interface ChatView {
  chatId: string;
  title?: string;
  type: 'single' | 'group';
  /** A single chat: who the robot talks to there (their DingTalk name). */
  withNick?: string;
  subscribed: boolean;
  verbose: boolean;
  paused: boolean;
  heldCount: number;
  lastMessageAt?: number;
  /** The group the chat is bound to, when the bridge's app serves several. */
  groupId?: string;
}

/** A group of a bridge whose DingTalk app serves several: its state (gone: error) and its chats. */
export interface ServedGroupView {
  groupId: string;
  title: string;
  state: 'stopped' | 'starting' | 'running' | 'degraded' | 'error';
  chats: number;
}

/** A chat of one bridge, to name it wherever only its id is known (the logs' chat filter). */
export interface BridgeChatView extends ChatView {
  bridgeId: string;
}

export interface PendingView {
  key: string;
  chatId: string;
  chatTitle?: string;
  /** Known once the chat wrote to the bridge before (its directory entry). */
  chatType?: 'single' | 'group';
  senderNick?: string;
  createdAt: number;
  expiresAt: number;
}

export interface PersonView {
  staffId: string;
  nick: string;
  isAdmin: boolean;
  lastSeen: number;
}

export interface ActorView {
  id: string;
  title: string;
  role: 'foreman' | 'peer';
  running: boolean;
  runtime?: string;
}

/**
 * How answers may use cards under the monthly API budget: `full` below 80 % of it (or without
 * one), `lean` (fewer card updates) from 80 %, `plain` (ordinary messages) from 100 %.
 */
export const cardAllowanceSchema = z.enum(['full', 'lean', 'plain']);
export type CardAllowance = z.infer<typeof cardAllowanceSchema>;

/** The DingTalk API calls of this calendar month (DingTalk's, China Standard Time); a schema too, for status.json. */
export const apiUsageViewSchema = z.object({
  /** `2025-06`. */
  month: z.string(),
  calls: z.number().int().nonnegative(),
  /** Most called first. */
  byApi: z.array(z.object({ api: z.string(), calls: z.number().int().nonnegative() })),
  /** Calls by the month's end, linear from the days elapsed (at least one). */
  forecast: z.number().int().nonnegative(),
  /** Days of the month gone, one decimal. */
  daysElapsed: z.number().nonnegative(),
  daysInMonth: z.number().int().positive(),
  /** Absent: no budget set. */
  budget: z.number().int().positive().optional(),
  allowance: cardAllowanceSchema,
});
export type ApiUsageView = z.infer<typeof apiUsageViewSchema>;

/** What a bridge shows beyond its summary: one view for the dashboard and `cccc-dingtalk status` (core/control/inspect.ts). */
export interface BridgeInspectionView {
  groupTitle?: string;
  /** When the app serves several groups: each of them (the chats name theirs). */
  groups?: ServedGroupView[];
  actors: ActorView[];
  /**
   * Subscribed chats first, then the most recently heard from. `type` is a guess ('group') and
   * `lastMessageAt` absent when the bridge's chat directory has not met the chat.
   */
  chats: ChatView[];
  pending: PendingView[];
  people: PersonView[];
  /** Subscribed chats that cannot be reached until someone writes in them (single chats whose person is unknown). */
  unreachableChats: number;
  apiUsage: ApiUsageView;
}

export interface BridgeDetail extends BridgeSummary, BridgeInspectionView {}

/**
 * What a change of group or DingTalk app does to a bridge's subscriptions (docs/architecture.md
 * §5). Subscriptions are the group's, in CCCC's IM state, keyed by chat.
 */
export interface EditImpactView {
  /** The group changes: of the `subscribed` chats of `from`, `stay` are subscribed in `to` too. */
  group?: { from: string; to: string; fromTitle?: string; toTitle?: string; subscribed: number; stay: number };
  /** The app changes: `subscribed` chats were reached through the old robot. */
  app?: { subscribed: number };
  /** The bridge runs: saving restarts it with the new settings. */
  restarts: boolean;
}

export interface GroupView {
  groupId: string;
  title: string;
  running: boolean;
  state?: string;
  /** The DingTalk settings CCCC already has for this group (group.yaml `im:`), for the wizard's import. */
  im?: { appKey?: string; appKeyEnv?: string; appSecretEnv?: string; robotCode?: string; robotCodeEnv?: string; enabled?: boolean };
  /** The bridge of this app that serves the group already (a group has one bridge). */
  bridge?: { id: string; name: string };
}

export interface CcccView {
  status: 'running' | 'not_running' | 'not_installed';
  home: string;
  version?: string;
  problem?: ProblemView;
  groups: GroupView[];
}

export type CheckState = 'ok' | 'failed' | 'skipped';

export interface CheckView {
  state: CheckState;
  problem?: ProblemView;
  /** Extra facts, e.g. the permissions a probe found missing. */
  details?: Record<string, unknown>;
}

export interface CredentialTestView {
  token: CheckView;
  stream: CheckView;
  /** Robot send permission (qyapi_robot_sendmsg), probed without sending; absent when the token failed. */
  permissions?: CheckView;
  /** The AI-card permissions (Card.Instance.Write, Card.Streaming.Write), probed without creating a card; absent when the token failed. */
  cards?: CheckView;
}

export type LogLevelView = 'debug' | 'info' | 'warn' | 'error';

export interface LogView {
  ts: number;
  level: LogLevelView;
  scope: string;
  msg: string;
  bridgeId?: string;
  chatId?: string;
  fields?: Record<string, unknown>;
}

export interface AuditView {
  ts: number;
  direction: 'in' | 'out';
  chatId: string;
  chatType: 'single' | 'group';
  kind: string;
  sender?: { id: string; nick?: string };
  recipients?: string[];
  chars?: number;
  bytes?: number;
  result?: { ok: true; via?: string } | { ok: false; code: string };
  refusal?: { code: string; reason?: string };
  content?: string;
}

export interface AppSettingsView {
  /** UI language; absent: follow the OS. */
  language?: Language;
  theme: 'system' | 'light' | 'dark';
  launchAtLogin: boolean;
  /** Linux without a keyring: secrets come from environment variables instead of the vault. */
  envSecretMode: boolean;
  /** Advanced: where DingTalk lives. Only DingTalk's own https hosts, unless in custom endpoint mode. */
  apiBase?: string;
  oapiBase?: string;
  /**
   * Custom endpoint mode (a private deployment) since this time (ms since epoch): a stored
   * AppSecret set before it is never sent there; it must be entered again.
   */
  customEndpointSince?: number;
}

/**
 * The running DingTalk sandbox (fake DingTalk + chat page on 127.0.0.1). `appSecret` is the
 * fake's fixed, public test value — it works only against the sandbox, so it is no user secret
 * and may leave the services. `ccccHome`/`groupId`: the demo group, when no CCCC was running.
 */
export interface SandboxView {
  chatUrl: string;
  apiBase: string;
  oapiBase: string;
  appKey: string;
  appSecret: string;
  robotCode: string;
  ccccHome?: string;
  groupId?: string;
}

/**
 * One-scan setup (docs/dingtalk-protocol.md §11): the QR code to scan with DingTalk, then how it
 * went. The Client Secret DingTalk hands over never leaves the services: it goes into the secret
 * store, and a bridge saved with this `scanId` takes it from there.
 */
export interface ScanView {
  scanId: string;
  state: 'waiting' | 'success' | 'refused' | 'failed' | 'expired' | 'error' | 'cancelled';
  /** While waiting: the QR code (an SVG data URL) of DingTalk's page for this code, and that address. */
  qr?: string;
  verificationUrl?: string;
  userCode?: string;
  /** When the code stops being good (ms since epoch). */
  expiresAt?: number;
  /** Success: the new app's Client ID (its RobotCode too). */
  appKey?: string;
  /** Success: the Client Secret is stored for the bridge to come, or could not be kept here (env-var mode: copy it from the console). */
  secret?: 'stored' | 'not_stored';
  /** Success: the live checks of what one scan cannot do, once they ran. */
  checks?: CredentialTestView;
  /** Refused, failed, expired or error: why, to say plainly. */
  problem?: ProblemView;
}

export interface VaultView {
  /** `basic_text`: Linux without a keyring — stored secrets are only obfuscated. */
  backend: 'os' | 'basic_text' | 'unavailable' | 'env';
  encrypted: boolean;
}

// ---- where secrets may go ------------------------------------------------------------------

/** DingTalk's own hosts: the only places an AppSecret goes outside custom endpoint mode. */
export const DINGTALK_HOSTS = { apiBase: 'api.dingtalk.com', oapiBase: 'oapi.dingtalk.com' } as const;

export type EndpointName = keyof typeof DINGTALK_HOSTS;

/** `https://api.dingtalk.com` (or oapi), with nothing that could point elsewhere (user info, a port). */
export function isDingTalkBase(url: string, which: EndpointName): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && u.hostname === DINGTALK_HOSTS[which] && u.port === '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/** A custom endpoint must still keep the secret off the wire: https, or plain http on this machine only. */
export function isSafeCustomBase(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.username !== '' || u.password !== '') return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname));
  } catch {
    return false;
  }
}

/**
 * Variables of the OS and shells, and well-known credentials of other services on a machine
 * that runs coding agents: never the AppSecret a user chose, whatever their name looks like.
 */
export const OS_ENV_NAMES = new Set([
  'HOME',
  'PATH',
  'USER',
  'USERNAME',
  'LOGNAME',
  'SHELL',
  'PWD',
  'OLDPWD',
  'TMPDIR',
  'TEMP',
  'TMP',
  'LANG',
  'LANGUAGE',
  'TERM',
  'DISPLAY',
  'HOSTNAME',
  'MAIL',
  'EDITOR',
  'VISUAL',
  'PAGER',
  'SSH_AUTH_SOCK',
  'SSH_AGENT_PID',
  'GPG_AGENT_INFO',
  'XAUTHORITY',
  'DBUS_SESSION_BUS_ADDRESS',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'XDG_CACHE_HOME',
  'XDG_SESSION_COOKIE',
  'APPDATA',
  'LOCALAPPDATA',
  'USERPROFILE',
  'HOMEPATH',
  'HOMEDRIVE',
  'SYSTEMROOT',
  'WINDIR',
  'COMSPEC',
  'PATHEXT',
  'PROGRAMFILES',
  'NODE_OPTIONS',
  'NODE_PATH',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES',
  'CCCC_HOME',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'NPM_TOKEN',
  'NODE_AUTH_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
]);

/** What a secret's variable is called: SECRET, TOKEN, KEY, PASSWORD or CREDENTIAL in it. */
const SECRET_WORD = /SECRET|TOKEN|KEY|PASSWORD|CREDENTIAL/;

/**
 * The NAME of the environment variable holding an AppSecret. Its value is sent to DingTalk, so
 * the name must look like a secret the user chose: upper case, a secret word in it, not one of
 * the OS's variables (`HOME`, `PATH`, `USER`, `SSH_AUTH_SOCK`…).
 */
export const secretEnvNameSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, { message: 'must be the NAME of an environment variable in upper case (e.g. DINGTALK_APP_SECRET), not its value' })
  .max(128)
  .refine((name) => SECRET_WORD.test(name), { message: 'must name a secret: SECRET, TOKEN, KEY, PASSWORD or CREDENTIAL in it (e.g. DINGTALK_APP_SECRET)' })
  .refine((name) => !OS_ENV_NAMES.has(name), { message: 'names a variable of the operating system or another service, not a secret you chose for this app' });

// ---- inputs ---------------------------------------------------------------------------------

const id = z.string().min(1).max(64);

/** An update (with `id`) changes only what it names: every field left out stays as it is. */
export const bridgeInputSchema = z
  .object({
    /** Absent: a new bridge. */
    id: id.optional(),
    /** Required for a new bridge. */
    name: z.string().trim().min(1).max(80).optional(),
    /** Required for a new bridge. */
    groupId: z.string().trim().min(1).max(128).optional(),
    /** The other groups the app serves; empty: only `groupId`. */
    moreGroupIds: z.array(z.string().trim().min(1).max(128)).max(49).optional(),
    allGroups: z.boolean().optional(),
    ccccHome: z.string().min(1).max(1024).optional(),
    /** The Client ID; required for a new bridge. Given: replaces an `appKeyEnv`. */
    appKey: z.string().trim().min(1).max(128).optional(),
    /** Write-only. Given: replaces a `secretEnv`. */
    appSecret: z.string().trim().min(1).max(256).optional(),
    /** Given: replaces a stored secret (unless an appSecret is given too, which is refused). */
    secretEnv: secretEnvNameSchema.optional(),
    /** Empty: none (the Client ID is used). Given: replaces a `robotCodeEnv`. */
    robotCode: z.string().trim().max(128).optional(),
    /** The secret of the app this one-scan setup made (ScanView), instead of a typed `appSecret`. */
    scanId: id.optional(),
    autoStart: z.boolean().optional(),
    /** Template ids are checked by the save itself, against the stored ones (`templateIdOk`). */
    settings: bridgeSettingsInputSchema.partial().optional(),
  })
  .refine((b) => b.id !== undefined || (b.name !== undefined && b.groupId !== undefined && b.appKey !== undefined), {
    message: 'a new bridge needs a name, a group and a Client ID',
    path: ['name'],
  });
export type BridgeInput = z.infer<typeof bridgeInputSchema>;

export const editImpactInputSchema = z
  .object({
    bridgeId: id,
    groupId: z.string().trim().min(1).max(128).optional(),
    ccccHome: z.string().min(1).max(1024).optional(),
    appKey: z.string().trim().min(1).max(128).optional(),
  })
  .strict();

export const credentialTestInputSchema = z.union([
  z.object({ bridgeId: id }),
  z.object({ appKey: z.string().trim().min(1), appSecret: z.string().trim().min(1), robotCode: z.string().trim().optional() }),
]);

const none = z.object({}).strict();
const byBridge = z.object({ bridgeId: id }).strict();
const byKey = z.object({ bridgeId: id, key: z.string().min(1).max(64) }).strict();
const byScan = z.object({ scanId: id }).strict();

export const logQuerySchema = z.object({
  bridgeId: id.optional(),
  level: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  chatId: z.string().max(256).optional(),
  search: z.string().max(200).optional(),
  limit: z.number().int().positive().max(5_000).optional(),
});

export const auditQuerySchema = z.object({
  bridgeId: id,
  chatId: z.string().max(256).optional(),
  direction: z.enum(['in', 'out']).optional(),
  limit: z.number().int().positive().max(5_000).optional(),
});

export const appSettingsInputSchema = z
  .object({
    language: languageSchema.nullable(),
    theme: z.enum(['system', 'light', 'dark']),
    launchAtLogin: z.boolean(),
    envSecretMode: z.boolean(),
    apiBase: z.string().url().nullable(),
    oapiBase: z.string().url().nullable(),
    /**
     * Custom endpoint mode: required, in the same call, to set an apiBase/oapiBase that is not
     * DingTalk's. The AppSecret is entered again (stored anew for that bridge); no secret stored
     * before goes to the new endpoint.
     */
    customEndpoint: z.object({ bridgeId: id, appSecret: z.string().trim().min(1).max(256) }).strict(),
  })
  .partial();

export const externalUrlSchema = z.object({ url: z.string().url().max(2048) }).strict();

// ---- the table --------------------------------------------------------------------------------

/** Every method: its input schema, and (as a type) its result. */
export const API = {
  listBridges: { input: none },
  getBridge: { input: byBridge },
  listChats: { input: none },
  saveBridge: { input: bridgeInputSchema },
  /** What saving this change of group or app would do to the bridge's subscriptions, asked before saving. */
  bridgeEditImpact: { input: editImpactInputSchema },
  deleteBridge: { input: byBridge },
  startBridge: { input: byBridge },
  stopBridge: { input: byBridge },
  restartBridge: { input: byBridge },
  approvePending: { input: byKey },
  rejectPending: { input: byKey },
  testCredentials: { input: credentialTestInputSchema },
  cccc: { input: z.object({ ccccHome: z.string().max(1024).optional() }).strict() },
  logs: { input: logQuerySchema },
  audit: { input: auditQuerySchema },
  /** `download`: the records come back for the page to save (a browser on `serve`: the file is the user's, not the server's). */
  exportLogs: { input: z.object({ bridgeId: id.optional(), download: z.literal(true).optional() }).strict() },
  getAppSettings: { input: none },
  setAppSettings: { input: appSettingsInputSchema },
  vault: { input: none },
  openExternal: { input: externalUrlSchema },
  startSandbox: { input: none },
  stopSandbox: { input: none },
  startScan: { input: none },
  scanStatus: { input: byScan },
  cancelScan: { input: byScan },
  /** A card made from a template not saved yet, into a subscribed chat of the running bridge (Settings → Buttons on cards). */
  sendTestCard: { input: z.object({ bridgeId: id, chatId: z.string().min(1).max(256), templateId: cardTemplateIdSchema }).strict() },
} as const;

export type ApiMethod = keyof typeof API;

export interface ApiResults {
  listBridges: BridgeSummary[];
  getBridge: BridgeDetail;
  /** Every bridge's chats: subscribed and not, with their names and kinds. */
  listChats: BridgeChatView[];
  saveBridge: BridgeSummary;
  bridgeEditImpact: EditImpactView;
  deleteBridge: { deleted: true };
  startBridge: BridgeStatusView;
  stopBridge: BridgeStatusView;
  restartBridge: BridgeStatusView;
  approvePending: { chatId: string };
  rejectPending: { rejected: true };
  testCredentials: CredentialTestView;
  cccc: CcccView;
  logs: LogView[];
  audit: AuditView[];
  /** Where the export was written (main: a save dialog; serve: a file in the config folder), or, with `download`, the file itself. */
  exportLogs: { path: string; records: number } | { cancelled: true } | { name: string; records: number; jsonl: string };
  getAppSettings: AppSettingsView;
  setAppSettings: AppSettingsView;
  vault: VaultView;
  openExternal: { opened: boolean };
  /** The app-wide endpoints stay as they are: only the bridge made for the sandbox talks to it. */
  startSandbox: SandboxView;
  /** Stops the sandbox's bridges, then the sandbox. */
  stopSandbox: { stopped: boolean };
  /** Asks DingTalk for a code to scan (one scan at a time: a new one replaces the last). */
  startScan: ScanView;
  scanStatus: ScanView;
  cancelScan: ScanView;
  /** Resolves once DingTalk created and delivered the card; DingTalk's refusal is the problem. */
  sendTestCard: { sent: true; chatId: string };
}

export type ApiInput<M extends ApiMethod> = z.input<(typeof API)[M]['input']>;
export type ApiResult<M extends ApiMethod> = ApiResults[M];

/** A call either returns its result or a problem the UI can show. */
export type ApiResponse<M extends ApiMethod> = { ok: true; result: ApiResult<M> } | { ok: false; problem: ProblemView };

/** What implements the contract (main's services, the headless server). */
export type ApiHandlers = { [M in ApiMethod]: (input: z.output<(typeof API)[M]['input']>) => Promise<ApiResult<M>> };

// ---- pushed events ------------------------------------------------------------------------------

export type ApiEvent =
  | { type: 'bridge-status'; bridgeId: string; status: BridgeStatusView }
  | { type: 'pending'; bridgeId: string; pending: PendingView }
  | { type: 'problem'; bridgeId: string; problem: ProblemView }
  | { type: 'log'; record: LogView }
  | { type: 'bridges-changed' }
  | { type: 'app-settings'; settings: AppSettingsView }
  /** Desktop app only: the tray menu or a notification asks the window to show this view. */
  | { type: 'navigate'; view: 'dashboard' | 'logs' | 'settings' };

/** External links the app may open in the system browser. */
export const EXTERNAL_HOSTS = ['open-dev.dingtalk.com', 'open.dingtalk.com', 'www.dingtalk.com', 'github.com', 'chesterra.github.io'];

export function isAllowedExternal(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && EXTERNAL_HOSTS.includes(u.hostname);
  } catch {
    return false;
  }
}

/** IPC channel names (kept in a zod-free module: the sandboxed preload bundles it). */
export { IPC_EVENT, IPC_INVOKE } from './bridge-api';
