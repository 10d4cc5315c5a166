/**
 * The sandbox chat page's server on 127.0.0.1: the page itself, its state, live updates as
 * server-sent events, sending text, uploading files and pictures, and downloads. Requests are
 * validated with zod; only same-origin pages can post (JSON or a custom header, which a
 * foreign page cannot send without a CORS preflight this server never grants), and the Host
 * header must be the loopback address, against DNS rebinding.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { pageAssets, type PageAssets } from './assets';
import type { SandboxState } from './protocol';
import { RoomError, type ChatRoom } from './room';

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const MAX_JSON_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;

const sendSchema = z.object({
  chatId: z.string().min(1).max(64),
  staffId: z.string().min(1).max(64),
  text: z.string().min(1).max(20_000),
  command: z.boolean().optional(),
});

const pressSchema = z.object({
  chatId: z.string().min(1).max(64),
  staffId: z.string().min(1).max(64),
  cardId: z.string().min(1).max(200),
  action: z.string().min(1).max(200),
});

const uploadSchema = z.object({
  chatId: z.string().min(1).max(64),
  staffId: z.string().min(1).max(64),
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((n) => !/[/\\\0]/.test(n), 'a file name, not a path'),
});

export interface ChatPageOptions {
  room: ChatRoom;
  /** Default 0: any free port. */
  port?: number;
}

export interface ChatPage {
  readonly url: string;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new HttpProblem(413, 'too_large', `超过 ${Math.round(limit / 1024 / 1024)} MB / too large`));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpProblem(413, 'too_large', `超过 ${Math.round(limit / 1024 / 1024)} MB / too large`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

const CSP =
  "default-src 'self'; img-src 'self' data: http: https:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function startChatPage(options: ChatPageOptions): Promise<ChatPage> {
  const { room } = options;
  const assets = await pageAssets();
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  let base = '';

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof HttpProblem) return json(res, err.status, { error: err.code, message: err.message });
      if (err instanceof RoomError) return json(res, 400, { error: err.code, message: err.message });
      json(res, 500, { error: 'internal', message: err instanceof Error ? err.message : String(err) });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const offRoom = room.onEvent((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) res.write(frame);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = String(req.headers.host ?? '');
    if (host !== new URL(base).host && host !== `localhost:${new URL(base).port}`) throw new HttpProblem(403, 'bad_host', 'forbidden host');
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (method === 'GET' && (path === '/' || path === '/index.html')) return serveAsset(res, assets, 'html');
    if (method === 'GET' && path === '/app.js') return serveAsset(res, assets, 'js');
    if (method === 'GET' && path === '/app.css') return serveAsset(res, assets, 'css');
    if (method === 'GET' && path === '/favicon.svg') return serveAsset(res, assets, 'icon');
    if (method === 'GET' && path === '/api/state') {
      const state: SandboxState = {
        robot: { name: room.robotName },
        people: room.people,
        chats: room.chats,
        messages: room.history(),
        maxUploadBytes: MAX_UPLOAD_BYTES,
      };
      return json(res, 200, state);
    }
    if (method === 'GET' && path === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': hello\n\n');
      streams.add(res);
      req.once('close', () => streams.delete(res));
      return;
    }
    if (method === 'POST' && path === '/api/messages') {
      const body = await readJson(req, sendSchema);
      return json(res, 200, room.say(body.chatId, body.staffId, body.text, { command: body.command === true }));
    }
    if (method === 'POST' && path === '/api/card-press') {
      const body = await readJson(req, pressSchema);
      room.press(body.chatId, body.staffId, body.cardId, body.action);
      return json(res, 200, { pressed: true });
    }
    if (method === 'POST' && path === '/api/upload') {
      if (req.headers['x-sandbox-upload'] !== '1') throw new HttpProblem(403, 'upload_header', 'missing x-sandbox-upload header');
      const query = uploadSchema.safeParse(Object.fromEntries(url.searchParams));
      if (!query.success) throw new HttpProblem(400, 'invalid', query.error.issues[0]?.message ?? 'invalid');
      const content = await readBody(req, MAX_UPLOAD_BYTES);
      return json(res, 200, room.upload(query.data.chatId, query.data.staffId, query.data.name, content));
    }
    const file = /^\/files\/([0-9a-f]{24})\/[^/]+$/.exec(path);
    if (method === 'GET' && file) {
      const stored = room.file(file[1]!);
      if (!stored) throw new HttpProblem(404, 'not_found', 'no such file');
      const disposition = url.searchParams.has('download') ? 'attachment' : 'inline';
      res.writeHead(200, {
        'content-type': stored.mime,
        'content-length': stored.content.length,
        'content-disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(stored.name)}`,
        // Only known harmless types are shown inline (mimeOf): anything else is a download, never a page of this origin.
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, max-age=3600',
      });
      res.end(stored.content);
      return;
    }
    throw new HttpProblem(404, 'not_found', 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  return {
    url: `${base}/`,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        offRoom();
        for (const res of streams) res.end();
        streams.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        });
      })();
      return closing;
    },
  };
}

function serveAsset(res: ServerResponse, assets: PageAssets, which: keyof PageAssets): void {
  const types: Record<keyof PageAssets, string> = {
    html: 'text/html; charset=utf-8',
    js: 'text/javascript; charset=utf-8',
    css: 'text/css; charset=utf-8',
    icon: 'image/svg+xml',
  };
  const body = assets[which];
  res.writeHead(200, {
    'content-type': types[which],
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(which === 'html' ? { 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' } : {}),
  });
  res.end(body);
}

/** A JSON request body, validated. */
async function readJson<S extends z.ZodType>(req: IncomingMessage, schema: S): Promise<z.output<S>> {
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new HttpProblem(415, 'json_only', 'application/json only');
  let raw: unknown;
  try {
    raw = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString('utf8'));
  } catch (err) {
    if (err instanceof HttpProblem) throw err;
    throw new HttpProblem(400, 'bad_json', 'not JSON');
  }
  const body = schema.safeParse(raw);
  if (!body.success) throw new HttpProblem(400, 'invalid', body.error.issues[0]?.message ?? 'invalid');
  return body.data;
}
