/**
 * Public types of the fake DingTalk server. The shapes here are a contract shared with the
 * DingTalk client tests and the demo sandbox: extend, never change.
 * Protocol reference: docs/dingtalk-protocol.md.
 */

export interface FakeApp {
  appKey: string;
  appSecret: string;
  /** Defaults to the appKey (internal apps). */
  robotCode?: string;
}

export interface FakeDingTalkOptions {
  /** Default: one app {appKey:'dingfakeappkey', appSecret:'fake-app-secret-0123456789'}. */
  apps?: FakeApp[];
  /** Stream tickets: single use, valid this long. Default 90_000. */
  ticketTtlMs?: number;
  /** Server SYSTEM `ping` frames to every connection. Default 0 = off. */
  pingIntervalMs?: number;
  /** An un-ACKed CALLBACK is pushed again after this. Default 3_000. */
  redeliveryDelayMs?: number;
  /** Pushes after the first one. Default 3; `Infinity` pushes until ACKed (what a skipped 10 MB message met). */
  maxRedeliveries?: number;
  /** After a SYSTEM disconnect the socket is closed after this. Default 10_000. */
  disconnectCloseDelayMs?: number;
  /** accessToken `expireIn`. Default 7200. */
  tokenTtlSeconds?: number;
  /** Per app per API per second; over it → 403 QpsLimitForAppkeyAndApi. Default 20. */
  qpsLimit?: number;
  /** sessionWebhookExpiredTime = createAt + this. Default 90 minutes. */
  webhookTtlMs?: number;
  host?: '127.0.0.1';
  /** TCP port; default 0 (any free port). */
  port?: number;
  /**
   * Undocumented SYSTEM frames `CONNECTED` / `REGISTERED` right after a connection opens
   * (clients must ignore them). `true` always, `false` never, `'random'` on about half of the
   * connections. Default true.
   */
  helloFrames?: boolean | 'random';
  /** Custom-robot style per-conversation limit on session webhooks, messages per minute. Default 20; 0 = off. */
  webhookPerMinuteLimit?: number;
  /** Source of randomness (connection choice, 'random' hello frames). Default Math.random. */
  random?: () => number;
  /** One-scan registration (docs/dingtalk-protocol.md §11). */
  registration?: RegistrationPolicy;
  /**
   * The card templates of the organization's card platform (卡片平台), besides DingTalk's public
   * AI card: a create naming another is refused as DingTalk does (`invalidParameter.cardTemplate.notFound`).
   * Default: every template id is taken.
   */
  cardTemplates?: string[];
}

export interface RegistrationPolicy {
  /** `init` answers this instead of a nonce: DingTalk refusing the `source`. Default: none (`null` clears it). */
  refuse?: { errcode: number; errmsg: string } | null;
  /** `begin`'s `interval`, seconds; a change applies to codes already given too. Default 2. */
  intervalSeconds?: number;
  /** `begin`'s `expires_in`, seconds. Default 7200. */
  codeTtlSeconds?: number;
}

export type RegistrationStatus = 'WAITING' | 'SUCCESS' | 'FAIL' | 'EXPIRED';

export interface RegistrationRecord {
  source: string;
  userCode: string;
  deviceCode: string;
  /** What the QR code holds: the fake's own page for this code. */
  verificationUrl: string;
  status: RegistrationStatus;
  polls: number;
  /** Polls sooner than the interval after the previous one (answered "too frequent"). */
  earlyPolls: number;
  createdAt: number;
  expiresAt: number;
  /** The app it made. */
  appKey?: string;
  failReason?: string;
}

export type FrameType = 'SYSTEM' | 'EVENT' | 'CALLBACK';

export interface Subscription {
  type: string;
  topic: string;
}

export interface AtUser {
  dingtalkId: string;
  staffId?: string;
}

/** The known fields of a robot message (§3). */
export interface RobotMessageFields {
  conversationId: string;
  conversationType: '1' | '2';
  conversationTitle?: string;
  msgId: string;
  senderNick: string;
  senderId: string;
  senderStaffId?: string;
  senderCorpId: string;
  isAdmin: boolean;
  chatbotUserId: string;
  chatbotCorpId: string;
  robotCode: string;
  createAt: number;
  sessionWebhook: string;
  sessionWebhookExpiredTime: number;
  isInAtList?: boolean;
  atUsers?: AtUser[];
  msgtype: string;
  text?: { content: string };
  content?: Record<string, unknown>;
}

/** The parsed `data` of a robot-message CALLBACK (§3). */
export interface RobotMessage extends RobotMessageFields {
  [extra: string]: unknown;
}

/**
 * What a test gives injectMessage. Every field of RobotMessage may be overridden; the
 * conveniences below fill msgtype and content.
 */
export type InjectInput = Omit<Partial<RobotMessageFields>, 'text'> & {
  /**
   * A string means msgtype `text`; in groups a leading space is added (the bot's @ was
   * removed), as DingTalk does. An object is used as the `text` field unchanged.
   */
  text?: string | { content: string };
  /** msgtype `file`: registers the bytes with addFile and fills content.downloadCode/fileName/fileId/spaceId. */
  file?: { content: Buffer | string; fileName?: string };
  /** msgtype `picture`: registers the bytes and fills content.downloadCode/pictureDownloadCode. */
  picture?: { content: Buffer | string; fileName?: string };
  /**
   * With a string `text`: the person quotes ("replies to") this message — one the robot sent
   * (from sentMessages()) or any text — so `text.isReplyMsg` and `text.repliedMsg` are filled.
   */
  quote?: SentMessage | { text: string; senderId?: string };
  /** Any other field is copied into the message as is. */
  [extra: string]: unknown;
};

export interface InjectOptions {
  appKey?: string;
  connectionId?: string;
}

export type SentVia = 'group' | 'oto' | 'webhook';

export interface SentMessage {
  via: SentVia;
  appKey: string;
  robotCode?: string;
  conversationId?: string;
  /** oto: only the users it was delivered to (invalid / flow-controlled ones are left out). */
  userIds?: string[];
  /** OpenAPI msgKey; for webhooks the custom-robot `msgtype`. */
  msgKey: string;
  /** OpenAPI: msgParam parsed; webhooks: body[msgtype]. */
  msgParam: Record<string, unknown>;
  /** Webhooks: the whole body (msgtype, content, `at`). */
  webhookBody?: Record<string, unknown>;
  at: number;
}

export interface AckRecord {
  messageId: string;
  /** The ACK's `data` string as sent by the client. */
  data: string;
  code: number;
  connectionId: string;
  at: number;
  /** Type/topic of the frame it answers, when the messageId is known. */
  frameType?: FrameType;
  topic?: string;
  /** msgId of the robot message, for CALLBACK ACKs. */
  msgId?: string;
  /** True when a test hook had it ignored (FakeHooks.ignoreAck). */
  ignored?: boolean;
}

export interface DeliveryRecord {
  msgId: string;
  messageId: string;
  connectionId: string;
  /** 1 for the first push, 2 for the first redelivery, … */
  attempt: number;
  topic: string;
  at: number;
}

export interface FrameRecord {
  type: FrameType;
  topic: string;
  messageId: string;
  connectionId: string;
  at: number;
}

export interface ConnectionInfo {
  id: string;
  appKey: string;
  openedAt: number;
  subscriptions: Subscription[];
  ua?: string;
  /** True after a SYSTEM disconnect: no more pushes, closes after disconnectCloseDelayMs. */
  draining: boolean;
  lastPingAckAt?: number;
}

export type OpenOutcome = 'ok' | 'authFailed' | 'systemError' | 'badRequest';

export interface OpenRequestRecord {
  at: number;
  clientId?: string;
  subscriptions?: unknown;
  ua?: string;
  localIp?: string;
  /** Whether the request asked for JSON (`Accept: application/json`). */
  acceptJson: boolean;
  status: number;
  outcome: OpenOutcome;
}

export interface MediaRecord {
  mediaId: string;
  type: string;
  fileName: string;
  bytes: number;
  sha256: string;
  appKey: string;
  at: number;
}

export interface RequestRecord {
  at: number;
  method: string;
  /** Path with secret query parameters removed. */
  path: string;
  /** e.g. 'connections.open', 'groupMessages.send', 'gettoken', 'media.upload', 'webhook', 'file.get', 'ws.connect'. */
  api: string;
  /** HTTP status; 0 when a test hook had the socket destroyed (FakeHooks.dropRequest). */
  status: number;
  appKey?: string;
  /** Error code of the answer (v1.0 `code` or legacy `errcode`), when it was an error. */
  code?: string | number;
}

export interface EmotionRecord {
  action: 'reply' | 'recall';
  appKey: string;
  body: Record<string, unknown>;
  at: number;
}

export interface CardRecord {
  action: 'createAndDeliver' | 'streaming' | 'update';
  appKey: string;
  body: Record<string, unknown>;
  at: number;
}

/** A step of a card's life, for fault injection: streaming with `isFinalize` is `finalize`. */
export type CardStep = 'create' | 'stream' | 'finalize' | 'update';

/** What the card shows: the AI-card template's flow states. */
export type CardStatus = 'processing' | 'inputting' | 'finished' | 'failed';

/** A card as DingTalk would show it (§7). */
export interface FakeCard {
  outTrackId: string;
  appKey: string;
  templateId: string;
  /** IM_GROUP: the conversation id; IM_ROBOT: the person's staff id. */
  space: { type: 'IM_GROUP' | 'IM_ROBOT'; id: string };
  robotCode?: string;
  /** Group cards only some people see. */
  recipients?: string[];
  /** The variables' current values, streamed ones included. */
  params: Record<string, string>;
  /** Per streamed variable: guids seen, updates applied, finalized, updates after finalizing. */
  streams: Record<string, { guids: string[]; updates: number; finalized: boolean; lateUpdates: number }>;
  status: CardStatus;
  /** A value over CARD_VALUE_MAX_CHARS: DingTalk shows the card blank. */
  blank: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface ProtocolErrorRecord {
  connectionId: string;
  problem: string;
  raw: string;
  at: number;
}

export type FakeListener<T> = (record: T) => void;

export interface StoredContent {
  content: Buffer;
  fileName: string;
}

export interface FakeDingTalk {
  /** e.g. http://127.0.0.1:PORT (serves /v1.0/…). */
  readonly apiBase: string;
  /** Legacy OAPI base, `${apiBase}/oapi`. */
  readonly oapiBase: string;
  /** The apps this fake knows (with robotCode filled). */
  readonly apps: Required<FakeApp>[];
  injectMessage(msg: InjectInput, opts?: InjectOptions): RobotMessage;
  injectEvent(topic: string, data: unknown, opts?: InjectOptions): void;
  /** Any CALLBACK topic (e.g. '/v1.0/card/instances/callback'); redelivered like robot messages. */
  injectCallback(topic: string, data: Record<string, unknown>, opts?: InjectOptions): void;
  /**
   * A person presses a button of a card (card-buttons.ts): pushed as a card callback to a
   * connection subscribed to it; throws when the card does not show that button to that person.
   * Returns the callback data.
   */
  pressCardButton(outTrackId: string, input: { staffId: string; button: string; params?: Record<string, string> }): Record<string, unknown>;
  sentMessages(): SentMessage[];
  clearSent(): void;
  acked(): AckRecord[];
  deliveries(): DeliveryRecord[];
  /** Every frame the server sent (all types). */
  frames(): FrameRecord[];
  connections(): ConnectionInfo[];
  openRequests(): OpenRequestRecord[];
  /** Omit the id to ping every connection. */
  sendSystemPing(connectionId?: string): void;
  /** Omit the id to disconnect every connection. */
  disconnect(connectionId?: string): void;
  /** Omit the id to kill every connection. */
  killConnection(connectionId?: string): void;
  /** Offers the queued pushes to the connections again (after a test hook changed its answers). */
  flushQueue(): void;
  addFile(content: Buffer | string, opts?: { fileName?: string }): { downloadCode: string };
  uploadedMedia(): MediaRecord[];
  requests(): RequestRecord[];
  emotions(): EmotionRecord[];
  cards(): CardRecord[];
  /** Every card created, as DingTalk would show it now. */
  cardInstances(): FakeCard[];
  cardInstance(outTrackId: string): FakeCard | undefined;
  /** Called on every change of a card (created, streamed, updated). Returns an unsubscribe function. */
  onCard(listener: FakeListener<FakeCard>): () => void;
  /** Malformed or wrong client frames (bad JSON, ping ACK not echoing data, …). */
  protocolErrors(): ProtocolErrorRecord[];
  /** Robot messages / events waiting for a live subscribed connection. */
  queuedCount(): number;
  expireToken(appKey?: string): void;
  /** Called for every message the robot sent (any route), as it is recorded. Returns an unsubscribe function. */
  onSent(listener: FakeListener<SentMessage>): () => void;
  /** Called for every emotion reply/recall. Returns an unsubscribe function. */
  onEmotion(listener: FakeListener<EmotionRecord>): () => void;
  /** The bytes of a file people sent (by downloadCode). */
  fileContent(downloadCode: string): StoredContent | undefined;
  /** The bytes the robot uploaded with media/upload (by media_id), with the upload's type. */
  mediaContent(mediaId: string): (StoredContent & { type: string }) | undefined;
  /** Every registration code given, oldest first. */
  registrations(): RegistrationRecord[];
  /** The admin scans and confirms: a robot app with Stream mode is made. The newest waiting code unless one is named. */
  approveRegistration(userCode?: string): Required<FakeApp>;
  /** The admin declines (the poll answers FAIL). */
  declineRegistration(userCode?: string, reason?: string): void;
  /** The code expires now (the poll answers EXPIRED). */
  expireRegistration(userCode?: string): void;
  setRegistrationPolicy(policy: RegistrationPolicy): void;
  close(): Promise<void>;
}
