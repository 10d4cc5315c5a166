/**
 * The fake's single loopback HTTP server: v1.0 API at `/v1.0/…`, legacy OAPI at `/oapi/…`,
 * file downloads at `/files/…`, the Stream gateway at `ws://…/connect`. Applies the HTTP-level
 * faults (network errors, delays) and logs every request without secrets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { V1Api } from './api-v1';
import { v1 } from './errors';
import { StreamGateway, CONNECT_PATH } from './gateway';
import { apiNameFor, BodyTooLargeError, readBody, safePath, v1Reply, type Reply } from './http-util';
import { LegacyApi, OAPI_PREFIX } from './oapi';
import { FakeRegistrations } from './registration';
import type { FakeState } from './state';
import type { TimerSet } from './timers';
import type { RequestRecord } from './types';

export class FakeServer {
  readonly http: Server;
  readonly gateway: StreamGateway;
  private readonly v1: V1Api;
  private readonly legacy: LegacyApi;
  readonly registrations: FakeRegistrations;
  private base = '';
  private closed = false;

  constructor(
    private readonly state: FakeState,
    private readonly timers: TimerSet,
  ) {
    this.gateway = new StreamGateway(state, timers);
    this.v1 = new V1Api({ state, apiBase: () => this.base, wsEndpoint: () => `${this.base.replace(/^http/, 'ws')}${CONNECT_PATH}` });
    this.legacy = new LegacyApi(state);
    this.registrations = new FakeRegistrations(state, () => this.base);
    this.http = createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => this.gateway.handleUpgrade(req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  get apiBase(): string {
    return this.base;
  }

  get oapiBase(): string {
    return `${this.base}${OAPI_PREFIX}`;
  }

  async listen(host: string, port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const addr = this.http.address() as AddressInfo;
    this.base = `http://${host}:${addr.port}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const log = (status: number, api: string, extra: Partial<RequestRecord> = {}): void => {
      this.state.requestLog.push({ at: Date.now(), method, path: safePath(url), api, status, ...extra });
    };
    if (this.closed) return void req.socket.destroy();
    if (this.state.hooks.dropRequest?.() === true) {
      log(0, apiNameFor(method, url.pathname), { code: 'networkError' });
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    try {
      const body = await readBody(req);
      const ctx = { method, url, headers: req.headers, body };
      reply = (await (this.v1.route(ctx) ?? this.registrations.route(ctx) ?? this.legacy.route(ctx))) ?? v1Reply('unknown', v1.notFound());
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        reply = { status: 413, body: { code: 'RequestEntityTooLarge', message: err.message }, api: apiNameFor(method, url.pathname), code: 413 };
      } else {
        reply = { status: 500, body: { code: 'InternalError', message: String(err) }, api: apiNameFor(method, url.pathname), code: 'InternalError' };
      }
    }
    const delayMs = this.state.hooks.answerDelayMs?.() ?? 0;
    if (delayMs > 0) await this.timers.sleep(delayMs);
    if (this.closed || res.destroyed) return void req.socket.destroy();
    const isBuffer = Buffer.isBuffer(reply.body);
    const payload = isBuffer || typeof reply.body === 'string' ? (reply.body as Buffer | string) : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json;charset=utf-8',
      ...reply.headers,
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.end(payload);
    const extra: Partial<RequestRecord> = {};
    if (reply.appKey !== undefined) extra.appKey = reply.appKey;
    if (reply.code !== undefined) extra.code = reply.code;
    log(reply.status, reply.api, extra);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.gateway.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }
}
