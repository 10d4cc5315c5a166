/**
 * The control services over HTTP, for `cccc-dingtalk serve`: the same API the desktop app's
 * renderer reaches over IPC, so the same UI runs in a browser (and is tested there).
 *
 *   POST /api/<method>   JSON body → validated with API[method].input → ApiResponse JSON
 *   GET  /api/events     server-sent events: one ApiEvent per `data:` line; heartbeats
 *   GET  /…              the built renderer (out/renderer), with a strict CSP
 *
 * Loopback only. Every /api request carries the random token (Authorization: Bearer …, or
 * `?token=` where EventSource cannot set headers). The page itself is public code and needs
 * none: the token travels in the URL fragment (#token=…), which browsers never send. Requests
 * from another origin are refused, and no CORS header is ever sent; the Host header must name
 * the loopback address (no DNS rebinding). Bodies are bounded.
 *
 * Status codes: 200 ok (and problems from a handler: `{ok:false, problem}` — the body is always
 * an ApiResponse), 400 invalid JSON or input, 401 bad token, 403 foreign origin or host,
 * 404 unknown method or file, 405 wrong verb, 413 body too large, 415 not JSON, 500 internal.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ApiEvent, ApiHandlers, ProblemView } from '../../shared/api';
import { silentLogger, type Logger } from '../log/logger';
import { dispatchCall, isApiMethod, toResponse, type FailureReason } from './dispatch';
import type { ControlEvents } from './service';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp';
import { contentTypeFor } from '../util/content-type';

export interface HttpServerOptions {
  handlers: ApiHandlers;
  events: ControlEvents;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The built renderer; absent or missing: the API only (the page says how to build it). */
  staticDir?: string;
  /** Largest request body; default 1 MiB. */
  maxBodyBytes?: number;
  /** Comment lines that keep the event stream open through proxies; default 15 s. */
  heartbeatMs?: number;
  /**
   * A connection must have sent its request headers within this time, or it is closed (an idle
   * or slow client holds nothing for long); default 5 s. Checked every quarter of it.
   */
  headersTimeoutMs?: number;
  /** Open connections at most (a local page needs a handful); more are refused. Default 64. */
  maxConnections?: number;
  /** Open event streams at most (each is an authorized page); more answer 503. Default 16. */
  maxStreams?: number;
  logger?: Logger;
}

export interface ControlHttpServer {
  readonly port: number;
  readonly token: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** The page, with the token in the fragment: `http://127.0.0.1:PORT/#token=…`. */
  readonly url: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The built UI's file types; anything else is served as bytes. */
const TYPED = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.png', '.jpg', '.ico', '.woff2', '.woff', '.txt', '.map']);

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemView,
  ) {
    super(problem.message);
  }
}

function problem(status: number, code: string, message: string, hint?: string, details?: Record<string, unknown>): HttpProblem {
  return new HttpProblem(status, { code, message, retryable: false, ...(hint ? { hint } : {}), ...(details ? { details } : {}) });
}

/** A handler's own problem is an answer (200); an unexpected failure says nothing of itself. */
const STATUS: Record<FailureReason, number> = { unknown_method: 404, invalid_input: 400, failed: 200, unexpected: 500 };

const INTERNAL = { ok: false, problem: { code: 'internal', message: 'Something went wrong in the bridge service', retryable: true } };

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHttpServer(options: HttpServerOptions): Promise<ControlHttpServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 5_000;
  const maxConnections = options.maxConnections ?? 64;
  const maxStreams = options.maxStreams ?? 16;
  const log = (options.logger ?? silentLogger).child('http');
  const staticRoot = options.staticDir ? resolve(options.staticDir) : undefined;
  const sockets = new Set<Socket>();
  const streams = new Set<ServerResponse>();
  let port = 0;
  const allowedHosts = (): string[] => [`${HOST}:${port}`, `localhost:${port}`];
  const origins = (): string[] => allowedHosts().map((h) => `http://${h}`);

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolveBody, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) {
        reject(problem(413, 'api.too_large', `The request body is larger than ${maxBody} bytes`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer): void => {
        size += chunk.length;
        if (size > maxBody) {
          // Answer 413 and close the connection; the rest of the body is read and dropped, not kept.
          req.off('data', onData);
          req.resume();
          reject(problem(413, 'api.too_large', `The request body is larger than ${maxBody} bytes`));
          return;
        }
        chunks.push(chunk);
      };
      req.on('data', onData);
      req.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const authorize = (req: IncomingMessage, url: URL): void => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!sameToken(bearer ?? url.searchParams.get('token') ?? undefined, token)) {
      throw problem(
        401,
        'api.unauthorized',
        'Missing or wrong access token',
        'Open the address `cccc-dingtalk serve` printed (it carries the token), or restart it for a new one.',
      );
    }
  };

  const call = async (req: IncomingMessage, res: ServerResponse, name: string): Promise<void> => {
    if (!isApiMethod(name)) throw problem(404, 'api.unknown_method', `No API method "${name}"`);
    if (req.method !== 'POST') throw problem(405, 'api.method_not_allowed', `Use POST for /api/${name}`);
    const type = req.headers['content-type'] ?? '';
    const text = await readBody(req);
    if (text.trim() !== '' && !/^application\/json\b/i.test(type)) throw problem(415, 'api.not_json', 'Send the input as application/json');
    let input: unknown = {};
    if (text.trim() !== '') {
      try {
        input = JSON.parse(text);
      } catch {
        throw problem(400, 'api.invalid_json', 'The request body is not valid JSON');
      }
    }
    const answer = await dispatchCall({ handlers: options.handlers, transport: 'http', log }, name, input);
    if (answer.ok) send(res, 200, toResponse(answer));
    else send(res, STATUS[answer.reason], answer.reason === 'unexpected' ? INTERNAL : toResponse(answer));
  };

  const events = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET') throw problem(405, 'api.method_not_allowed', 'Use GET for /api/events');
    if (streams.size >= maxStreams)
      throw problem(503, 'api.too_many_streams', `${maxStreams} event streams are open already`, 'Close other tabs of this page, then reload.');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    streams.add(res);
    const write = (event: ApiEvent): void => {
      // A reader that stopped reading is dropped rather than buffered without end.
      if (res.writableLength > 4 * 1024 * 1024) {
        res.destroy();
        return;
      }
      res.write(`data: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = options.events.subscribe(write);
    const heartbeat = setInterval(() => res.write(`: ${Date.now()}\n\n`), heartbeatMs);
    const done = (): void => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    res.on('close', done);
    res.on('error', done);
  };

  const file = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw problem(405, 'api.method_not_allowed', 'Only GET here');
    if (!staticRoot) throw problem(404, 'http.not_found', 'No page here: this server has the API only');
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      throw problem(400, 'http.bad_path', 'Bad path');
    }
    if (rel.includes('\0')) throw problem(400, 'http.bad_path', 'Bad path');
    let path = normalize(join(staticRoot, rel));
    if (path !== staticRoot && !path.startsWith(staticRoot + sep)) throw problem(404, 'http.not_found', 'Not found');
    let info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path).catch(() => undefined);
    }
    if (!info && extname(rel) === '') {
      // A client-side route: the app's page.
      path = join(staticRoot, 'index.html');
      info = await stat(path).catch(() => undefined);
    }
    if (!info?.isFile()) {
      if (rel === '/' || rel === '/index.html') {
        res.writeHead(404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
        res.end('The UI is not built yet: run `npm run build` in the cccc-dingtalk checkout, then reload. The API works without it.\n');
        return;
      }
      throw problem(404, 'http.not_found', 'Not found');
    }
    const html = extname(path) === '.html';
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': contentTypeFor(path, TYPED) ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      // Built assets carry a content hash in their names; the page itself must always be fresh.
      'Cache-Control': html ? 'no-cache' : 'public, max-age=31536000, immutable',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (!allowedHosts().includes((req.headers.host ?? '').toLowerCase())) throw problem(403, 'api.bad_host', 'Use the address `cccc-dingtalk serve` printed');
      const origin = req.headers.origin;
      if (origin !== undefined && !origins().includes(origin)) throw problem(403, 'api.foreign_origin', 'Requests from other sites are not allowed');
      const url = new URL(req.url ?? '/', `http://${HOST}`);
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        authorize(req, url);
        const name = url.pathname.slice('/api/'.length);
        if (name === 'events') events(req, res);
        else await call(req, res, name);
        return;
      }
      await file(req, res, url.pathname);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpProblem) {
        if (err.status === 413) res.setHeader('Connection', 'close');
        send(res, err.status, { ok: false, problem: err.problem });
        return;
      }
      log.error('Request failed', { error: err, path: req.url?.split('?')[0] });
      send(res, 500, INTERNAL);
    }
  };

  const server: Server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(headersTimeoutMs, 30_000),
      connectionsCheckingInterval: Math.max(50, Math.floor(headersTimeoutMs / 4)),
    },
    (req, res) => void handle(req, res),
  );
  // Beyond the cap, Node closes new connections at once.
  server.maxConnections = maxConnections;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // Node's headersTimeout starts with the first byte: a connection that sends nothing would stay
    // open. Idle this long before any request, it is closed (Node destroys a socket that times out).
    socket.setTimeout(headersTimeoutMs);
  });
  // A request arrived: from here on, headersTimeout, requestTimeout and keepAliveTimeout apply.
  server.on('request', (req: IncomingMessage) => req.socket.setTimeout(0));
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    port,
    token,
    origin,
    url: `${origin}/#token=${token}`,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        for (const res of streams) res.end();
        server.close(() => resolveClose());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
