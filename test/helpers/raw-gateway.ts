/**
 * A Stream gateway that sends exactly the frames it is told to: for hostile-frame tests and
 * for benchmarks that must time the client alone. `connections/open` always succeeds.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface RawGateway {
  base: string;
  sockets: WebSocket[];
  close(): Promise<void>;
}

export async function startRawGateway(): Promise<RawGateway> {
  const sockets: WebSocket[] = [];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server: Server = createServer((_req, res) => {
    const port = (server.address() as AddressInfo).port;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ endpoint: `ws://127.0.0.1:${port}/connect`, ticket: 't-1' }));
  });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => sockets.push(ws)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    sockets,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A robot-message CALLBACK frame as DingTalk sends it. */
export function robotFrame(msgId: string, data: Record<string, unknown> = {}, messageId = `mid-${msgId}`): string {
  const message = { msgId, msgtype: 'text', text: { content: 'ok' }, conversationId: 'cid1', conversationType: '1', senderNick: 'n', senderId: 's', ...data };
  return JSON.stringify({
    specVersion: '1.0',
    type: 'CALLBACK',
    headers: { messageId, topic: '/v1.0/im/bot/messages/get', contentType: 'application/json', time: String(Date.now()) },
    data: JSON.stringify(message),
  });
}
