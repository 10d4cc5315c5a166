/**
 * DingTalk Stream mode on `ws` (docs/dingtalk-protocol.md §1–3). Why not the official SDK: §9 there.
 *
 * Guarantees: every CALLBACK is ACKed right after parsing (a robot message once it is kept, or
 * once a message the bridge will not take was answered); no message is pushed again more than
 * `maxDeliveries` times because of us, except while the machine itself fails (a full disk);
 * redeliveries are dropped by msgId and messageId; a server `disconnect` opens the new
 * connection before the old one closes; a silent or zombie socket is replaced; reconnects back
 * off with jitter up to a cap; bad credentials stop the client with a readable reason; nothing
 * thrown by a frame or a handler escapes; `stop()` resolves only when every timer and socket is
 * gone.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { z } from 'zod';
import { BridgeError, toProblem, type Problem } from '../errors';
import { isLocalFailure } from '../util/local-failure';
import { silentLogger, type Logger } from '../log/logger';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../util/backoff';
import { RecentIds } from '../util/recent-ids';
import { BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, type DingTalkCredentials, type DingTalkEndpoints } from './endpoints';
import { ackFrame, CALLBACK_ACK_DATA, CARD_CALLBACK_ACK_DATA, EVENT_ACK_DATA, frameSchema, parseJson, type Frame } from './frames';
import { requestJson, type CallCounter } from './http';
import { normalizeRobotMessage, refusedChatOf, refusedChatOfMessage, type InboundMessage, type RefusedChat } from './inbound-message';
import { wsAgentFor } from './proxy';
import { BoundedMap } from '../util/bounded';

export type StreamState =
  | { status: 'idle' }
  | { status: 'connecting' }
  | { status: 'connected'; since: number }
  | { status: 'reconnecting'; attempt: number; delayMs: number; problem: Problem }
  | { status: 'stopped' }
  /** Fatal: the client has stopped retrying (e.g. invalid credentials) until `start()` is called again. */
  | { status: 'error'; problem: Problem };

/** A robot message the client does not hand on, with what is known of its chat (to answer it). */
export type Refusal =
  /** Larger than `maxFrameBytes` (or, from the bridge, a text over its limit). */
  | { reason: 'too_large'; bytes?: number; chat?: RefusedChat }
  /** Does not match the protocol. */
  | { reason: 'invalid'; chat?: RefusedChat; data: unknown }
  /** `keep` kept failing for a reason that is not about the machine: a poison message. */
  | { reason: 'failed'; chat: RefusedChat; message: InboundMessage; problem: Problem; deliveries: number };

export interface StreamClientOptions {
  credentials: DingTalkCredentials;
  endpoints: DingTalkEndpoints;
  /**
   * Takes a robot message (normalized, redeliveries dropped) and makes it durable before it is
   * ACKed: DingTalk never sends an ACKed message again. Should settle within milliseconds (a
   * journal append); if it throws or rejects, the message is not ACKed, so DingTalk redelivers it.
   */
  keep: (message: InboundMessage) => void | Promise<void>;
  /**
   * Answers a robot message that will not be kept (see `Refusal`). The message is ACKed once this
   * resolves, or when it rejects for a reason that is not a local failure; a local failure (full
   * disk) leaves it un-ACKed for DingTalk to redeliver. Without it, such messages are ACKed and logged.
   */
  onRefused?: (refusal: Refusal) => Promise<void>;
  /**
   * Deliveries of one msgId that `keep` may fail for a reason other than a local failure
   * before the message is given up as poison (ACKed and refused). Local failures never count.
   */
  maxDeliveries?: number;
  /**
   * EVENT frames and callbacks on topics other than robot messages (only if subscribed), after
   * their ACK: a card press is answered at once and handled afterwards.
   */
  onOther?: (frame: { type: string; topic: string; data: unknown }) => void | Promise<void>;
  /** CALLBACK topics to subscribe to; default: robot messages only. */
  callbackTopics?: string[];
  /** EVENT topics to subscribe to; default none (the SDK's `*` costs traffic we ignore). */
  eventTopics?: string[];
  logger?: Logger;
  /** Counts the ticket requests (every connection costs one call). */
  counter?: CallCounter;
  userAgent?: string;
  /** Client WS ping period. */
  pingIntervalMs?: number;
  /** No frame and no pong for this long → the socket is dead. */
  deadAfterMs?: number;
  /** No frame from the server (pongs do not count) for this long → replace the socket warmly. 0 = off. */
  serverSilenceMs?: number;
  /** A connection that lived this long resets the backoff. */
  healthyAfterMs?: number;
  backoff?: BackoffPolicy;
  handshakeTimeoutMs?: number;
  /** Larger frames are not kept: ACKed, and robot messages among them refused (answered). */
  maxFrameBytes?: number;
  dedupTtlMs?: number;
  dedupMaxIds?: number;
  random?: () => number;
  now?: () => number;
}

const openAnswer = z.object({ endpoint: z.string().min(1), ticket: z.string().min(1) });

interface Connection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly openedAt: number;
  lastSeen: number;
  lastServerFrame: number;
  liveness?: NodeJS.Timeout;
  readonly closed: Promise<void>;
}

export class StreamClient extends EventEmitter<{ state: [StreamState] }> {
  private readonly opts: Required<Omit<StreamClientOptions, 'onOther' | 'keep' | 'onRefused' | 'credentials' | 'endpoints' | 'logger' | 'counter'>>;
  private readonly log: Logger;
  private running = false;
  private opening = false;
  private active: Connection | undefined;
  private readonly sockets = new Set<Connection>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  /** A reconnect asked for while a connection was opening: that one may use the old network, so open once more after it. */
  private reopenAfterOpening: string | undefined;
  private abort = new AbortController();
  private readonly seenMessageIds: RecentIds;
  private readonly seenMsgIds: RecentIds;
  /** Connections opened so far, to name them in the log. */
  private connectionsOpened = 0;
  /** msgId → deliveries `keep` failed for a reason that is not a local failure. */
  // Bounded: the oldest counts go first (a message failing that long ago was given up or kept).
  private readonly failedDeliveries = new BoundedMap<string, number>(1_000);
  private current: StreamState = { status: 'idle' };

  constructor(private readonly options: StreamClientOptions) {
    super();
    this.log = (options.logger ?? silentLogger).child('stream');
    this.opts = {
      callbackTopics: options.callbackTopics ?? [BOT_MESSAGE_TOPIC],
      eventTopics: options.eventTopics ?? [],
      userAgent: options.userAgent ?? 'cccc-dingtalk/0.1.0',
      pingIntervalMs: options.pingIntervalMs ?? 30_000,
      deadAfterMs: options.deadAfterMs ?? 90_000,
      serverSilenceMs: options.serverSilenceMs ?? 5 * 60_000,
      healthyAfterMs: options.healthyAfterMs ?? 60_000,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
      maxFrameBytes: options.maxFrameBytes ?? 1024 * 1024,
      maxDeliveries: options.maxDeliveries ?? 3,
      dedupTtlMs: options.dedupTtlMs ?? 10 * 60_000,
      dedupMaxIds: options.dedupMaxIds ?? 20_000,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
    };
    this.seenMessageIds = new RecentIds(this.opts.dedupTtlMs, this.opts.dedupMaxIds, this.opts.now);
    this.seenMsgIds = new RecentIds(this.opts.dedupTtlMs, this.opts.dedupMaxIds, this.opts.now);
  }

  get state(): StreamState {
    return this.current;
  }

  /** Number of open sockets (more than one only during a warm handover). */
  get socketCount(): number {
    return this.sockets.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.abort = new AbortController();
    this.setState({ status: 'connecting' });
    void this.openConnection('start');
  }

  /**
   * Replace the connection now, opening the new one before closing the old one: call on OS
   * resume from sleep or a network change, when the old socket may be silently dead.
   */
  reconnect(reason: string): void {
    if (!this.running) return;
    this.log.info('Reconnecting on request', { reason });
    if (this.reconnectTimer) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
    if (this.opening) {
      this.reopenAfterOpening = reason;
      return;
    }
    void this.openConnection(reason);
  }

  async stop(): Promise<void> {
    await this.teardown();
    if (this.current.status !== 'stopped') this.setState({ status: 'stopped' });
  }

  /** Cancels the pending reconnect and any connect in flight, and closes every socket. */
  private async teardown(): Promise<void> {
    this.running = false;
    this.reopenAfterOpening = undefined;
    this.abort.abort();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    await Promise.all([...this.sockets].map((c) => this.closeConnection(c, 'stop')));
    this.active = undefined;
  }

  private setState(state: StreamState): void {
    this.current = state;
    try {
      this.emit('state', state);
    } catch (err) {
      this.log.error('A state listener failed', { error: err });
    }
  }

  private async openConnection(reason: string): Promise<void> {
    if (!this.running || this.opening) return;
    this.opening = true;
    const signal = this.abort.signal;
    try {
      const { endpoint, ticket } = await this.openTicket(signal);
      const conn = await this.connectSocket(endpoint, ticket, signal);
      if (!this.running) {
        await this.closeConnection(conn, 'stopped while connecting');
        return;
      }
      const previous = this.active;
      this.active = conn;
      this.setState({ status: 'connected', since: conn.openedAt });
      this.log.info('Stream connected', { connection: conn.id, reason, handover: Boolean(previous) });
      // Warm handover: the old socket goes only once the new one is live, so no push falls in a gap.
      if (previous) void this.closeConnection(previous, 'replaced');
    } catch (err) {
      if (!this.running) return;
      const problem = toProblem(err, 'dingtalk.network');
      if (!problem.retryable) {
        this.log.error('Stream stopped: cannot recover on its own', { code: problem.code, message: problem.message });
        await this.teardown();
        this.setState({ status: 'error', problem });
        return;
      }
      this.log.warn('Stream connection attempt failed', { code: problem.code, message: problem.message });
      this.opening = false;
      // A failed warm replacement keeps the old socket until it closes; retry later either way.
      this.scheduleReconnect(problem);
    } finally {
      this.opening = false;
      const again = this.reopenAfterOpening;
      this.reopenAfterOpening = undefined;
      if (again && this.running) {
        // Asked for explicitly (resume, network change): sooner than a backoff retry of the attempt that just ended.
        if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
        this.reconnectTimer = undefined;
        void this.openConnection(again);
      }
    }
  }

  private async openTicket(signal: AbortSignal): Promise<z.infer<typeof openAnswer>> {
    const subscriptions = [
      ...this.opts.callbackTopics.map((topic) => ({ type: 'CALLBACK', topic })),
      ...this.opts.eventTopics.map((topic) => ({ type: 'EVENT', topic })),
    ];
    let body: unknown;
    try {
      body = await requestJson({
        method: 'POST',
        url: `${this.options.endpoints.apiBase}/v1.0/gateway/connections/open`,
        api: 'gateway.connections.open',
        json: { clientId: this.options.credentials.appKey, clientSecret: this.options.credentials.appSecret, subscriptions, ua: this.opts.userAgent },
        timeoutMs: this.opts.handshakeTimeoutMs,
        signal,
        counter: this.options.counter,
      });
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'dingtalk.api_error') {
        // A plain 400 here is usually a console setting, not a lasting fault: say which, keep trying.
        throw new BridgeError({
          code: 'dingtalk.stream_refused',
          message: 'DingTalk refused the Stream connection',
          hint: 'Check that the robot uses 消息接收模式 = Stream 模式 (Stream mode), that a version with the robot is published (版本管理与发布), and that you are in its visibility range.',
          retryable: true,
        });
      }
      throw err;
    }
    const parsed = openAnswer.safeParse(body);
    if (!parsed.success) throw new BridgeError({ code: 'dingtalk.bad_answer', message: 'DingTalk sent an unexpected Stream gateway answer', retryable: true });
    return parsed.data;
  }

  private connectSocket(endpoint: string, ticket: string, signal: AbortSignal): Promise<Connection> {
    const url = `${endpoint}${endpoint.includes('?') ? '&' : '?'}ticket=${encodeURIComponent(ticket)}`;
    return new Promise<Connection>((resolve, reject) => {
      if (signal.aborted) {
        reject(new BridgeError({ code: 'aborted', message: 'Cancelled', retryable: false }));
        return;
      }
      const agent = wsAgentFor(url);
      const ws = new WebSocket(url, {
        handshakeTimeout: this.opts.handshakeTimeoutMs,
        // ws kills the socket on a frame over this cap, and the frame cannot be ACKed: DingTalk would
        // push it again on every new connection. The cap is far above any message DingTalk carries;
        // frames between maxFrameBytes and the cap are read only to be ACKed and refused.
        maxPayload: Math.max(this.opts.maxFrameBytes * 64, 64 * 1024 * 1024),
        perMessageDeflate: false,
        ...(agent ? { agent } : {}),
      });
      const fail = (problem: Problem): void => {
        cleanup();
        ws.terminate();
        reject(new BridgeError(problem));
      };
      const onAbort = (): void => fail({ code: 'aborted', message: 'Cancelled', retryable: false });
      const cleanup = (): void => {
        signal.removeEventListener('abort', onAbort);
        ws.removeAllListeners('open').removeAllListeners('unexpected-response');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      ws.on('error', (err) =>
        fail({ code: 'dingtalk.network', message: `Stream socket failed (${(err as NodeJS.ErrnoException).code ?? err.name})`, retryable: true }),
      );
      ws.once('unexpected-response', (req, res) => {
        req.destroy();
        fail({ code: 'dingtalk.stream_rejected', message: `The Stream gateway answered HTTP ${res.statusCode}`, retryable: true });
      });
      ws.once('open', () => {
        cleanup();
        ws.removeAllListeners('error');
        resolve(this.adopt(ws));
      });
    });
  }

  private adopt(ws: WebSocket): Connection {
    const now = this.opts.now();
    let markClosed!: () => void;
    const closed = new Promise<void>((r) => (markClosed = r));
    const conn: Connection = { id: ++this.connectionsOpened, ws, openedAt: now, lastSeen: now, lastServerFrame: now, closed };
    this.sockets.add(conn);
    ws.on('message', (data, isBinary) => this.onFrame(conn, data, isBinary));
    ws.on('pong', () => {
      conn.lastSeen = this.opts.now();
    });
    ws.on('error', (err) => this.log.warn('Stream socket error', { connection: conn.id, error: err.message }));
    ws.on('close', (code) => {
      if (conn.liveness) clearInterval(conn.liveness);
      this.sockets.delete(conn);
      markClosed();
      this.onClosed(conn, code);
    });
    conn.liveness = setInterval(() => this.checkLiveness(conn), this.opts.pingIntervalMs);
    return conn;
  }

  private checkLiveness(conn: Connection): void {
    const now = this.opts.now();
    if (now - conn.lastSeen >= this.opts.deadAfterMs) {
      this.log.warn('Stream socket silent, treating it as dead', { connection: conn.id, silentMs: now - conn.lastSeen });
      conn.ws.terminate();
      return;
    }
    if (this.opts.serverSilenceMs > 0 && conn === this.active && now - conn.lastServerFrame >= this.opts.serverSilenceMs && !this.opening) {
      // Zombie sockets answer pings but deliver nothing; a fresh connection costs one request.
      conn.lastServerFrame = now;
      this.log.info('No frame from DingTalk for a while, refreshing the connection', { connection: conn.id });
      void this.openConnection('server silence');
    }
    try {
      conn.ws.ping();
    } catch {
      // The close handler deals with a socket that is already going away.
    }
  }

  private onClosed(conn: Connection, code: number): void {
    if (conn !== this.active) return;
    this.active = undefined;
    if (!this.running) return;
    if (this.opts.now() - conn.openedAt >= this.opts.healthyAfterMs) this.attempt = 0;
    this.log.warn('Stream connection closed', { connection: conn.id, code });
    this.scheduleReconnect({ code: 'dingtalk.connection_lost', message: 'Connection to DingTalk lost — reconnecting', retryable: true });
  }

  private scheduleReconnect(problem: Problem): void {
    if (!this.running || this.reconnectTimer || this.opening) return;
    const delayMs = backoffDelay(this.attempt, this.opts.backoff, this.opts.random);
    this.attempt += 1;
    if (!this.active) this.setState({ status: 'reconnecting', attempt: this.attempt, delayMs, problem });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.openConnection('retry');
    }, delayMs);
  }

  private closeConnection(conn: Connection, why: string): Promise<void> {
    if (conn.liveness) clearInterval(conn.liveness);
    if (conn.ws.readyState === WebSocket.CLOSED) return conn.closed;
    this.log.debug('Closing stream socket', { connection: conn.id, why });
    conn.ws.close(1000, why);
    // A peer that never answers the close handshake must not hold stop() forever.
    const force = setTimeout(() => conn.ws.terminate(), 2_000);
    return conn.closed.then(() => clearTimeout(force));
  }

  private onFrame(conn: Connection, raw: WebSocket.RawData, isBinary: boolean): void {
    const now = this.opts.now();
    conn.lastSeen = now;
    conn.lastServerFrame = now;
    try {
      const size = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer | ArrayBuffer).byteLength;
      if (isBinary) {
        this.log.warn('Skipped a frame', { reason: 'binary', bytes: size });
        return;
      }
      const json = parseJson(raw.toString());
      const frame = json.ok ? frameSchema.safeParse(json.value) : undefined;
      if (!frame?.success) {
        this.log.warn('Skipped a malformed frame', { bytes: size });
        return;
      }
      this.dispatch(conn, frame.data, size);
    } catch (err) {
      this.log.error('Failed to handle a frame', { error: err });
    }
  }

  private dispatch(conn: Connection, frame: Frame, bytes: number): void {
    const { messageId, topic } = frame.headers;
    const oversize = bytes > this.opts.maxFrameBytes;
    switch (frame.type) {
      case 'SYSTEM':
        return this.onSystem(conn, frame);
      case 'CALLBACK': {
        const ack = (): void => this.send(conn, ackFrame(messageId, topic === CARD_CALLBACK_TOPIC ? CARD_CALLBACK_ACK_DATA : CALLBACK_ACK_DATA));
        const data = parseJson(frame.data ?? '');
        if (!data.ok) {
          ack();
          this.log.warn('Skipped a callback whose data is not JSON', { topic });
          return;
        }
        if (topic === BOT_MESSAGE_TOPIC && oversize) return this.refuse({ reason: 'too_large', bytes, ...optionalChat(refusedChatOf(data.value)) }, ack);
        if (topic === BOT_MESSAGE_TOPIC) return this.keepThenAck(messageId, data.value, ack);
        ack();
        if (oversize) return this.log.warn('Skipped a frame', { reason: 'too large', bytes, topic });
        if (!this.seenMessageIds.add(messageId)) return;
        return this.deliverOther({ type: 'CALLBACK', topic, data: data.value });
      }
      case 'EVENT': {
        this.send(conn, ackFrame(messageId, EVENT_ACK_DATA));
        if (oversize) return this.log.warn('Skipped a frame', { reason: 'too large', bytes, topic });
        if (!this.seenMessageIds.add(messageId)) return;
        const data = parseJson(frame.data ?? '');
        return this.deliverOther({ type: 'EVENT', topic, data: data.ok ? data.value : frame.data });
      }
      default:
        this.log.warn('Skipped a frame of unknown type', { type: frame.type, topic });
    }
  }

  private onSystem(conn: Connection, frame: Frame): void {
    const topic = frame.headers.topic;
    if (topic === 'ping') {
      this.send(conn, ackFrame(frame.headers.messageId, frame.data ?? ''));
      return;
    }
    if (topic === 'disconnect') {
      this.log.info('DingTalk asked to move to a new connection', { connection: conn.id });
      if (conn === this.active) void this.openConnection('server disconnect');
      return;
    }
    // CONNECTED, REGISTERED, KEEPALIVE and other undocumented topics need no answer.
    this.log.debug('Ignored a system frame', { topic });
  }

  /** ACK once the message is durable: a crash between ACK and journal would lose it for good. */
  private keepThenAck(messageId: string, data: unknown, ack: () => void): void {
    const message = normalizeRobotMessage(data, this.opts.now);
    if (!message) return this.refuse({ reason: 'invalid', data, ...optionalChat(refusedChatOf(data)) }, ack);
    const fresh = this.seenMessageIds.add(messageId);
    if (!this.seenMsgIds.add(message.msgId) || !fresh) {
      ack();
      this.log.debug('Dropped a redelivered message', { msgId: message.msgId });
      return;
    }
    let kept: Promise<void>;
    try {
      kept = Promise.resolve(this.options.keep(message));
    } catch (err) {
      kept = Promise.reject(err);
    }
    kept.then(
      () => ack(),
      (err: unknown) => {
        // Not ACKed: DingTalk delivers it again, and then it must not look like a duplicate.
        this.seenMessageIds.delete(messageId);
        this.seenMsgIds.delete(message.msgId);
        if (isLocalFailure(err)) {
          this.log.error('Could not keep a message; DingTalk will deliver it again', { msgId: message.msgId, error: err });
          return;
        }
        const deliveries = this.countFailure(message.msgId);
        if (deliveries < this.opts.maxDeliveries) {
          this.log.error('Could not keep a message; DingTalk will deliver it again', { msgId: message.msgId, deliveries, error: err });
          return;
        }
        this.failedDeliveries.delete(message.msgId);
        this.refuse({ reason: 'failed', chat: refusedChatOfMessage(message), message, problem: toProblem(err), deliveries }, ack);
      },
    );
  }

  private countFailure(msgId: string): number {
    const n = (this.failedDeliveries.get(msgId) ?? 0) + 1;
    this.failedDeliveries.delete(msgId);
    this.failedDeliveries.set(msgId, n);
    return n;
  }

  /** Answers a message that will not be kept, then ACKs it; a redelivery of it is only ACKed. */
  private refuse(refusal: Refusal, ack: () => void): void {
    const msgId = refusal.chat?.msgId;
    if (msgId !== undefined && !this.seenMsgIds.add(msgId)) {
      ack();
      this.log.debug('Dropped a redelivered message', { msgId });
      return;
    }
    this.log.warn('Refused a robot message', {
      reason: refusal.reason,
      msgId,
      chat: refusal.chat?.conversationId,
      sender: refusal.chat?.senderStaffId,
      ...(refusal.reason === 'too_large' ? { bytes: refusal.bytes } : {}),
    });
    const answer = this.options.onRefused;
    if (!answer) return ack();
    let pending: Promise<void>;
    try {
      pending = answer(refusal);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(ack, (err: unknown) => {
      if (isLocalFailure(err)) {
        if (msgId !== undefined) this.seenMsgIds.delete(msgId);
        this.log.error('Could not answer a refused message; DingTalk will deliver it again', { msgId, error: err });
        return;
      }
      this.log.error('Could not answer a refused message', { msgId, error: err });
      ack();
    });
  }

  private deliverOther(frame: { type: string; topic: string; data: unknown }): void {
    const handler = this.options.onOther;
    if (handler) this.invoke(() => handler(frame), 'frame handler');
    else this.log.debug('No handler for frame', { type: frame.type, topic: frame.topic });
  }

  private invoke(fn: () => void | Promise<void>, what: string): void {
    try {
      const result = fn();
      if (result instanceof Promise) result.catch((err: unknown) => this.log.error(`The ${what} failed`, { error: err }));
    } catch (err) {
      this.log.error(`The ${what} failed`, { error: err });
    }
  }

  private send(conn: Connection, text: string): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(text, (err) => {
      if (err) this.log.warn('Could not send an ACK', { connection: conn.id, error: err.message });
    });
  }
}

function optionalChat(chat: RefusedChat | undefined): { chat?: RefusedChat } {
  return chat ? { chat } : {};
}
