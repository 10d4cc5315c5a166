/**
 * One NDJSON exchange with the daemon: connect, write the request line at once (the daemon
 * gives a connection only ~0.5 s to send it), read one line back, close. Every failure says
 * in which phase it happened and whether request bytes may have reached the daemon, because
 * only that decides whether a retry is safe.
 */
import net from 'node:net';
import type { Endpoint } from './endpoint';

export type Phase = 'connect' | 'write' | 'read';

export type TransportReason =
  | 'not_found' // no socket file (ENOENT)
  | 'refused' // nobody listening (ECONNREFUSED)
  | 'access' // socket exists but we may not open it
  | 'timeout'
  | 'closed' // the daemon closed without answering
  | 'reset'
  | 'too_large'
  | 'aborted'
  | 'io';

export class TransportError extends Error {
  constructor(
    readonly reason: TransportReason,
    readonly phase: Phase,
    /** True once the request was handed to the socket: the daemon may have acted on it. */
    readonly written: boolean,
    readonly errno?: string,
  ) {
    super(`daemon ${phase} failed: ${reason}${errno ? ` (${errno})` : ''}`);
    this.name = 'TransportError';
  }
}

export interface ExchangeOptions {
  /** Budget for writing the request and reading the answer, from the moment we are connected. */
  timeoutMs: number;
  connectTimeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
}

function reasonOf(errno: string | undefined): TransportReason {
  switch (errno) {
    case 'ENOENT':
      return 'not_found';
    case 'ECONNREFUSED':
      return 'refused';
    case 'EACCES':
    case 'EPERM':
      return 'access';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'io';
  }
}

/** Sends `line` (one JSON document, no newline) and resolves with the answer line. */
export function exchange(endpoint: Endpoint, line: string, options: ExchangeOptions): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new TransportError('aborted', 'connect', false));
      return;
    }
    const socket =
      endpoint.transport === 'unix' ? net.createConnection({ path: endpoint.path }) : net.createConnection({ host: endpoint.host, port: endpoint.port });
    let phase: Phase = 'connect';
    let written = false;
    let settled = false;
    const chunks: Buffer[] = [];
    let size = 0;

    const settle = (err: TransportError | undefined, answer?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer ?? '');
    };
    const onAbort = (): void => settle(new TransportError('aborted', phase, written));
    let timer = setTimeout(() => settle(new TransportError('timeout', phase, written)), options.connectTimeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    socket.once('connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => settle(new TransportError('timeout', phase, written)), options.timeoutMs);
      phase = 'write';
      written = true;
      socket.write(line + '\n', 'utf8', () => {
        if (phase === 'write') phase = 'read';
      });
    });
    socket.on('data', (chunk: Buffer) => {
      const nl = chunk.indexOf(0x0a);
      const part = nl >= 0 ? chunk.subarray(0, nl) : chunk;
      size += part.length;
      if (size > options.maxResponseBytes) {
        settle(new TransportError('too_large', 'read', written));
        return;
      }
      chunks.push(part);
      if (nl >= 0) settle(undefined, Buffer.concat(chunks).toString('utf8'));
    });
    // CCCC's own client accepts a final line without its newline when the daemon closes.
    socket.once('end', () => {
      if (size > 0) settle(undefined, Buffer.concat(chunks).toString('utf8'));
      else settle(new TransportError('closed', phase, written));
    });
    socket.once('close', () => settle(new TransportError('closed', phase, written)));
    socket.on('error', (err: NodeJS.ErrnoException) => settle(new TransportError(reasonOf(err.code), phase, written, err.code)));
  });
}
