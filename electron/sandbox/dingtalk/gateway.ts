/**
 * The Stream gateway (docs/dingtalk-protocol.md §1, §2): `GET /connect?ticket=` upgrades to a WebSocket; JSON frames
 * `{specVersion,type,headers,data}` go out, ACKs come back. Pushes go to one live subscribed
 * connection of the app at random, un-ACKed ones are redelivered with the same payload and a
 * new `headers.messageId`, SYSTEM ping/disconnect and the undocumented CONNECTED/REGISTERED.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { BoundedMap } from '../../core/util/bounded';
import { frameMessageId, hex } from './ids';
import { safePath } from './http-util';
import type { FakeState } from './state';
import type { TimerSet } from './timers';
import type { ConnectionInfo, FrameType, Subscription } from './types';

export const CONNECT_PATH = '/connect';

interface Conn {
  id: string;
  appKey: string;
  ws: WebSocket;
  openedAt: number;
  subscriptions: Subscription[];
  ua?: string;
  draining: boolean;
  pingTimer?: NodeJS.Timeout;
  closeTimer?: NodeJS.Timeout;
  lastPingAckAt?: number;
}

/** A CALLBACK or EVENT to be delivered (and redelivered until ACKed). */
interface Push {
  type: 'CALLBACK' | 'EVENT';
  topic: string;
  appKey: string;
  data: string;
  msgId: string;
  attempts: number;
  acked: boolean;
  preferredConnectionId?: string;
  timer?: NodeJS.Timeout;
}

/** What the server remembers about each frame it sent, to match ACKs. */
interface SentFrame {
  type: FrameType;
  topic: string;
  data: string;
  connectionId: string;
  push?: Push;
}

const MAX_SENT_FRAMES = 50_000;

export class StreamGateway {
  private readonly wss: WebSocketServer;
  private readonly conns = new Map<string, Conn>();
  private readonly queue: Push[] = [];
  private readonly sentFrames = new BoundedMap<string, SentFrame>(MAX_SENT_FRAMES);
  private readonly appIds = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly state: FakeState,
    private readonly timers: TimerSet,
  ) {
    this.wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  }

  // ---- upgrade ------------------------------------------------------------------------------

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record = (status: number, code?: string, appKey?: string): void => {
      const r = { at: Date.now(), method: 'GET', path: safePath(url), api: 'ws.connect', status } as const;
      this.state.requestLog.push({ ...r, ...(code !== undefined ? { code } : {}), ...(appKey !== undefined ? { appKey } : {}) });
    };
    if (this.closed) return void socket.destroy();
    if (url.pathname !== CONNECT_PATH) {
      record(404, 'NotFound');
      return rejectUpgrade(socket, 404, 'Not Found', { code: 'NotFound', message: 'no such path' });
    }
    const refused = this.state.hooks.refuseUpgrade?.();
    if (refused === 'badGateway') {
      record(502, 'BadGateway');
      return rejectUpgrade(socket, 502, 'Bad Gateway', 'Bad Gateway');
    }
    const redeemed = this.state.redeemTicket(url.searchParams.get('ticket'));
    if (!redeemed.ok || refused === 'invalidTicket') {
      // [?] The doc does not say how the real gateway refuses a bad ticket; an HTTP 401 is plausible.
      const reason = redeemed.ok ? 'invalid' : redeemed.reason;
      record(401, `ticket.${reason}`);
      return rejectUpgrade(socket, 401, 'Unauthorized', { code: 'invalidTicket', message: `ticket ${reason}` });
    }
    const ticket = redeemed.ticket;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.closed) return void ws.terminate();
      record(101, undefined, ticket.appKey);
      this.onConnection(ws, ticket.appKey, ticket.subscriptions, ticket.ua);
    });
  }

  private onConnection(ws: WebSocket, appKey: string, subscriptions: Subscription[], ua: string | undefined): void {
    const conn: Conn = {
      id: hex(16),
      appKey,
      ws,
      openedAt: Date.now(),
      subscriptions,
      draining: false,
    };
    if (ua !== undefined) conn.ua = ua;
    this.conns.set(conn.id, conn);

    ws.on('message', (raw, isBinary) => this.onClientFrame(conn, raw, isBinary));
    ws.on('ping', (data) => {
      if (!this.isNoPong(conn) && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => this.onClosed(conn));

    const hello = this.state.opts.helloFrames;
    if (hello === true || (hello === 'random' && this.state.opts.random() < 0.5)) {
      this.sendFrame(conn, 'SYSTEM', 'CONNECTED', '{}');
      this.sendFrame(conn, 'SYSTEM', 'REGISTERED', '{}');
    }
    if (this.state.opts.pingIntervalMs > 0) {
      conn.pingTimer = this.timers.interval(this.state.opts.pingIntervalMs, () => this.ping(conn));
    }
    this.flushQueue();
  }

  private onClosed(conn: Conn): void {
    this.timers.clear(conn.pingTimer);
    this.timers.clear(conn.closeTimer);
    this.conns.delete(conn.id);
  }

  // ---- client frames ------------------------------------------------------------------------

  private onClientFrame(conn: Conn, raw: RawData, isBinary: boolean): void {
    if (this.isNoPong(conn)) return; // a dead socket hears nothing
    const text = rawToString(raw);
    const problem = (p: string): void => void this.state.protocolErrorLog.push({ connectionId: conn.id, problem: p, raw: text.slice(0, 2000), at: Date.now() });
    if (isBinary) return problem('binary frame');
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return problem('not JSON');
    }
    if (frame === null || typeof frame !== 'object') return problem('not a JSON object');
    const f = frame as Record<string, unknown>;
    const headers = f['headers'] as Record<string, unknown> | undefined;
    const messageId = headers && typeof headers === 'object' ? headers['messageId'] : undefined;
    if (typeof f['code'] !== 'number' || typeof messageId !== 'string') return problem('not an ACK (needs numeric code and headers.messageId)');
    const data = typeof f['data'] === 'string' ? f['data'] : JSON.stringify(f['data'] ?? null);
    if (typeof f['data'] !== 'string') problem('ACK data must be a JSON string');
    const sent = this.sentFrames.get(messageId);
    const ignored = this.state.hooks.ignoreAck?.() === true;
    this.state.acks.push({
      messageId,
      data,
      code: f['code'],
      connectionId: conn.id,
      at: Date.now(),
      ...(sent ? { frameType: sent.type, topic: sent.topic } : {}),
      ...(sent?.push && sent.type === 'CALLBACK' ? { msgId: sent.push.msgId } : {}),
      ...(ignored ? { ignored: true } : {}),
    });
    if (!sent) return problem(`ACK for unknown messageId ${messageId}`);
    if (ignored) return;
    if (sent.type === 'SYSTEM') {
      if (sent.topic !== 'ping') return problem(`ACK for SYSTEM ${sent.topic} (should be ignored without an ACK)`);
      if (data !== sent.data) return problem('ping ACK must echo data unchanged');
      conn.lastPingAckAt = Date.now();
      return;
    }
    const push = sent.push;
    if (!push || push.acked || f['code'] !== 200) return;
    if (push.type === 'EVENT') {
      try {
        const parsed = JSON.parse(data) as { status?: unknown } | null;
        if (parsed?.status === 'LATER') return; // asks for a retry: leave it to the redelivery timer
      } catch {
        /* malformed ACK data still acknowledges */
      }
    }
    push.acked = true;
    this.timers.clear(push.timer);
  }

  // ---- pushes -------------------------------------------------------------------------------

  push(p: { type: 'CALLBACK' | 'EVENT'; topic: string; appKey: string; data: string; msgId: string }, connectionId?: string): void {
    const push: Push = { ...p, attempts: 0, acked: false };
    if (connectionId !== undefined) push.preferredConnectionId = connectionId;
    this.deliver(push);
  }

  private deliver(push: Push): void {
    if (this.closed) return;
    const eligible = [...this.conns.values()].filter((c) => this.canDeliver(c, push));
    let target = eligible.find((c) => c.id === push.preferredConnectionId);
    delete push.preferredConnectionId;
    if (!target && eligible.length > 0) {
      const i = Math.min(eligible.length - 1, Math.floor(this.state.opts.random() * eligible.length));
      target = eligible[i];
    }
    if (!target) {
      this.queue.push(push);
      return;
    }
    push.attempts += 1;
    const messageId = this.sendFrame(target, push.type, push.topic, push.data, push);
    if (push.type === 'CALLBACK') {
      this.state.deliveryLog.push({
        msgId: push.msgId,
        messageId,
        connectionId: target.id,
        attempt: push.attempts,
        topic: push.topic,
        at: Date.now(),
      });
    }
    this.timers.clear(push.timer);
    push.timer = this.timers.timeout(this.state.opts.redeliveryDelayMs, () => {
      delete push.timer;
      if (push.acked) return;
      if (push.attempts <= this.state.opts.maxRedeliveries) this.deliver(push);
    });
  }

  /** Deliver what waits for a connection (after a connect or a fault change). */
  flushQueue(): void {
    const waiting = this.queue.splice(0);
    for (const p of waiting) this.deliver(p);
  }

  queuedCount(): number {
    return this.queue.length;
  }

  private canDeliver(c: Conn, push: Push): boolean {
    return (
      c.appKey === push.appKey &&
      !c.draining &&
      c.ws.readyState === WebSocket.OPEN &&
      !this.isSilent(c) &&
      !this.isNoPong(c) &&
      c.subscriptions.some((s) => s.type === push.type && (s.topic === push.topic || s.topic === '*'))
    );
  }

  private isSilent(c: Conn): boolean {
    return this.state.hooks.silent?.(c.id) === true;
  }

  private isNoPong(c: Conn): boolean {
    return this.state.hooks.noPong?.(c.id) === true;
  }

  /** Sends one frame (unless a fault mutes the socket); returns its messageId. */
  private sendFrame(conn: Conn, type: FrameType, topic: string, data: string, push?: Push): string {
    const messageId = frameMessageId();
    if (conn.ws.readyState !== WebSocket.OPEN || this.isSilent(conn) || this.isNoPong(conn)) return messageId;
    const frame = {
      specVersion: '1.0',
      type,
      headers: {
        appId: this.appId(conn.appKey),
        connectionId: conn.id,
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic,
      },
      data,
    };
    conn.ws.send(JSON.stringify(frame));
    this.sentFrames.set(messageId, { type, topic, data, connectionId: conn.id, ...(push ? { push } : {}) });
    this.state.frameLog.push({ type, topic, messageId, connectionId: conn.id, at: Date.now() });
    return messageId;
  }

  private appId(appKey: string): string {
    let id = this.appIds.get(appKey);
    if (!id) {
      id = randomUUID();
      this.appIds.set(appKey, id);
    }
    return id;
  }

  // ---- control ------------------------------------------------------------------------------

  private select(connectionId: string | undefined): Conn[] {
    if (connectionId === undefined) return [...this.conns.values()];
    const c = this.conns.get(connectionId);
    return c ? [c] : [];
  }

  private ping(conn: Conn): void {
    if (conn.draining) return;
    this.sendFrame(conn, 'SYSTEM', 'ping', JSON.stringify({ opaque: randomUUID() }));
  }

  sendSystemPing(connectionId?: string): void {
    for (const c of this.select(connectionId)) this.ping(c);
  }

  disconnect(connectionId?: string): void {
    for (const c of this.select(connectionId)) {
      if (c.draining) continue;
      this.sendFrame(c, 'SYSTEM', 'disconnect', JSON.stringify({ reason: 'connection is expired' }));
      c.draining = true;
      this.timers.clear(c.pingTimer);
      c.closeTimer = this.timers.timeout(this.state.opts.disconnectCloseDelayMs, () => {
        c.ws.close(1000, 'connection is expired');
        // Close TCP even if the client never answers the close handshake.
        this.timers.timeout(1000, () => c.ws.terminate());
      });
    }
  }

  killConnection(connectionId?: string): void {
    for (const c of this.select(connectionId)) c.ws.terminate();
  }

  connections(): ConnectionInfo[] {
    return [...this.conns.values()].map((c) => {
      const info: ConnectionInfo = {
        id: c.id,
        appKey: c.appKey,
        openedAt: c.openedAt,
        subscriptions: c.subscriptions.map((s) => ({ ...s })),
        draining: c.draining,
      };
      if (c.ua !== undefined) info.ua = c.ua;
      if (c.lastPingAckAt !== undefined) info.lastPingAckAt = c.lastPingAckAt;
      return info;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue) this.timers.clear(p.timer);
    this.queue.length = 0;
    for (const c of this.conns.values()) {
      this.timers.clear(c.pingTimer);
      this.timers.clear(c.closeTimer);
      c.ws.terminate();
    }
    this.conns.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function rawToString(raw: RawData): string {
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  return Buffer.from(raw).toString('utf8');
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain' : 'application/json';
  socket.on('error', () => undefined);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`, () =>
    socket.destroy(),
  );
}
