/**
 * Everything the fake remembers: apps, test hooks, tokens, files, media, session webhooks and the
 * records tests read back. No I/O here.
 */
import { randomUUID } from 'node:crypto';
import { FakeCards, PUBLIC_AI_CARD_TEMPLATE } from './cards';
import type { FakeHooks } from './hooks';
import { hex } from './ids';
import { resolveRegistrationPolicy, type ResolvedRegistrationPolicy } from './registration';
import type {
  AckRecord,
  CardRecord,
  DeliveryRecord,
  EmotionRecord,
  FakeApp,
  FakeDingTalkOptions,
  FrameRecord,
  MediaRecord,
  OpenRequestRecord,
  FakeListener,
  ProtocolErrorRecord,
  RequestRecord,
  SentMessage,
  Subscription,
} from './types';

export const DEFAULT_APP: FakeApp = { appKey: 'dingfakeappkey', appSecret: 'fake-app-secret-0123456789' };

export interface ResolvedOptions {
  apps: Required<FakeApp>[];
  ticketTtlMs: number;
  pingIntervalMs: number;
  redeliveryDelayMs: number;
  maxRedeliveries: number;
  disconnectCloseDelayMs: number;
  tokenTtlSeconds: number;
  qpsLimit: number;
  webhookTtlMs: number;
  host: string;
  port: number;
  helloFrames: boolean | 'random';
  webhookPerMinuteLimit: number;
  random: () => number;
  registration: ResolvedRegistrationPolicy;
  /** Undefined: every template id is taken. */
  cardTemplates: ReadonlySet<string> | undefined;
}

export function resolveOptions(o: FakeDingTalkOptions = {}): ResolvedOptions {
  const apps = (o.apps && o.apps.length > 0 ? o.apps : [DEFAULT_APP]).map((a) => ({
    appKey: a.appKey,
    appSecret: a.appSecret,
    robotCode: a.robotCode ?? a.appKey,
  }));
  return {
    apps,
    ticketTtlMs: o.ticketTtlMs ?? 90_000,
    pingIntervalMs: o.pingIntervalMs ?? 0,
    redeliveryDelayMs: o.redeliveryDelayMs ?? 3_000,
    maxRedeliveries: o.maxRedeliveries ?? 3,
    disconnectCloseDelayMs: o.disconnectCloseDelayMs ?? 10_000,
    tokenTtlSeconds: o.tokenTtlSeconds ?? 7200,
    qpsLimit: o.qpsLimit ?? 20,
    webhookTtlMs: o.webhookTtlMs ?? 90 * 60_000,
    host: o.host ?? '127.0.0.1',
    port: o.port ?? 0,
    helloFrames: o.helloFrames ?? true,
    webhookPerMinuteLimit: o.webhookPerMinuteLimit ?? 20,
    random: o.random ?? Math.random,
    registration: resolveRegistrationPolicy(o.registration),
    cardTemplates: o.cardTemplates ? new Set([PUBLIC_AI_CARD_TEMPLATE, ...o.cardTemplates]) : undefined,
  };
}

export interface Ticket {
  ticket: string;
  appKey: string;
  subscriptions: Subscription[];
  ua?: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenEntry {
  token: string;
  appKey: string;
  expiresAt: number;
}

export interface SessionEntry {
  appKey: string;
  robotCode: string;
  conversationId: string;
  conversationType: '1' | '2';
  expiresAt: number;
}

export interface StoredFile {
  content: Buffer;
  fileName: string;
  urlToken: string;
}

export type TokenCheck = { ok: true; appKey: string } | { ok: false; reason: 'missing' | 'unknown' | 'expired' };

export class FakeState {
  readonly opts: ResolvedOptions;
  readonly hooks: FakeHooks;

  readonly sent: SentMessage[] = [];
  readonly acks: AckRecord[] = [];
  readonly deliveryLog: DeliveryRecord[] = [];
  readonly frameLog: FrameRecord[] = [];
  readonly openLog: OpenRequestRecord[] = [];
  readonly media: MediaRecord[] = [];
  readonly requestLog: RequestRecord[] = [];
  readonly emotionLog: EmotionRecord[] = [];
  readonly cardLog: CardRecord[] = [];
  readonly cards: FakeCards;
  readonly protocolErrorLog: ProtocolErrorRecord[] = [];

  readonly tickets = new Map<string, Ticket>();
  readonly tokens = new Map<string, TokenEntry>();
  readonly sessions = new Map<string, SessionEntry>();
  /** downloadCode → file */
  readonly files = new Map<string, StoredFile>();
  /** URL token → downloadCode */
  readonly fileUrls = new Map<string, string>();

  /** media_id → the uploaded bytes (the sandbox shows the robot's files and pictures). */
  readonly mediaFiles = new Map<string, { content: Buffer; fileName: string; type: string }>();

  private readonly sentListeners = new Set<FakeListener<SentMessage>>();
  private readonly emotionListeners = new Set<FakeListener<EmotionRecord>>();

  private readonly qpsWindows = new Map<string, number[]>();
  private readonly webhookWindows = new Map<string, number[]>();

  constructor(opts: ResolvedOptions, hooks: FakeHooks = {}) {
    this.opts = opts;
    this.hooks = hooks;
    this.cards = new FakeCards(
      hooks,
      (appKey) => this.app(appKey),
      (templateId) => opts.cardTemplates?.has(templateId) ?? true,
    );
  }

  onSent(listener: FakeListener<SentMessage>): () => void {
    return subscribe(this.sentListeners, listener);
  }

  onEmotion(listener: FakeListener<EmotionRecord>): () => void {
    return subscribe(this.emotionListeners, listener);
  }

  recordSent(message: SentMessage): void {
    this.sent.push(message);
    notify(this.sentListeners, message);
  }

  recordEmotion(record: EmotionRecord): void {
    this.emotionLog.push(record);
    notify(this.emotionListeners, record);
  }

  app(appKey: string): Required<FakeApp> | undefined {
    return this.opts.apps.find((a) => a.appKey === appKey);
  }

  defaultApp(): Required<FakeApp> {
    const first = this.opts.apps[0];
    if (!first) throw new Error('fake DingTalk has no apps');
    return first;
  }

  checkCredentials(appKey: unknown, appSecret: unknown): Required<FakeApp> | undefined {
    if (typeof appKey !== 'string' || typeof appSecret !== 'string') return undefined;
    const app = this.app(appKey);
    return app && app.appSecret === appSecret ? app : undefined;
  }

  /** DingTalk returns the same token while it is valid and renews its lifetime. */
  issueToken(appKey: string): TokenEntry {
    const now = Date.now();
    const ttl = this.opts.tokenTtlSeconds * 1000;
    for (const entry of this.tokens.values()) {
      if (entry.appKey === appKey && entry.expiresAt > now) {
        entry.expiresAt = now + ttl;
        return entry;
      }
    }
    const entry: TokenEntry = { token: hex(16), appKey, expiresAt: now + ttl };
    this.tokens.set(entry.token, entry);
    return entry;
  }

  checkToken(token: string | null | undefined): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const entry = this.tokens.get(token);
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, appKey: entry.appKey };
  }

  expireTokens(appKey?: string): void {
    const now = Date.now();
    for (const entry of this.tokens.values()) {
      if (appKey === undefined || entry.appKey === appKey) entry.expiresAt = Math.min(entry.expiresAt, now);
    }
  }

  /** Sliding one-second window per app per API. True when the call is allowed (and counts it). */
  takeQps(appKey: string, api: string): boolean {
    const limit = this.opts.qpsLimit;
    if (limit <= 0) return true;
    return takeWindow(this.qpsWindows, `${appKey}\n${api}`, limit, 1000);
  }

  takeWebhookRate(conversationId: string): boolean {
    const limit = this.opts.webhookPerMinuteLimit;
    if (limit <= 0) return true;
    return takeWindow(this.webhookWindows, conversationId, limit, 60_000);
  }

  addFile(content: Buffer | string, fileName = 'file.bin'): { downloadCode: string } {
    const downloadCode = `DC${hex(24)}`;
    const urlToken = hex(16);
    this.files.set(downloadCode, {
      content: typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content),
      fileName,
      urlToken,
    });
    this.fileUrls.set(urlToken, downloadCode);
    return { downloadCode };
  }

  fileByUrlToken(urlToken: string): StoredFile | undefined {
    const code = this.fileUrls.get(urlToken);
    return code === undefined ? undefined : this.files.get(code);
  }

  newTicket(appKey: string, subscriptions: Subscription[], ua: string | undefined): Ticket {
    const t: Ticket = {
      ticket: randomUUID(),
      appKey,
      subscriptions,
      expiresAt: Date.now() + this.opts.ticketTtlMs,
      used: false,
    };
    if (ua !== undefined) t.ua = ua;
    this.tickets.set(t.ticket, t);
    return t;
  }

  /** Single use: the first attempt consumes the ticket whatever happens next. */
  redeemTicket(ticket: string | null): { ok: true; ticket: Ticket } | { ok: false; reason: 'unknown' | 'expired' | 'used' } {
    if (!ticket) return { ok: false, reason: 'unknown' };
    const t = this.tickets.get(ticket);
    if (!t) return { ok: false, reason: 'unknown' };
    if (t.used) return { ok: false, reason: 'used' };
    t.used = true;
    if (t.expiresAt <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, ticket: t };
  }
}

function subscribe<T>(set: Set<FakeListener<T>>, listener: FakeListener<T>): () => void {
  set.add(listener);
  return () => void set.delete(listener);
}

/** Listeners get their own copy; one that throws must not break the API call that recorded it. */
function notify<T>(set: Set<FakeListener<T>>, record: T): void {
  for (const listener of set) {
    try {
      listener(structuredClone(record));
    } catch {
      // a listener's own problem
    }
  }
}

function takeWindow(windows: Map<string, number[]>, key: string, limit: number, spanMs: number): boolean {
  const now = Date.now();
  const list = (windows.get(key) ?? []).filter((t) => t > now - spanMs);
  if (list.length >= limit) {
    windows.set(key, list);
    return false;
  }
  list.push(now);
  windows.set(key, list);
  return true;
}
