/**
 * Entry of `npm run dev`: the demo (sandbox DingTalk, a CCCC, the bridge in `cccc-dingtalk
 * serve`), with the control UI served from renderer/ by Vite, so edits show up at once. Prints
 * the UI's address (with serve's token) and the sandbox chat's; Ctrl-C stops everything.
 * Options as `npm run demo`'s: `--cccc auto|real|demo`, `--group ID`, plus `--port N` (the UI's).
 */
import { parseArgs } from 'node:util';
import { createServer, type ViteDevServer } from 'vite';
import { startDemo, type Demo } from './demo';
import type { CcccMode } from './cccc';
import { devServerConfig } from './dev-server';

const say = (line: string): void => void process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5173' }, cccc: { type: 'string', default: 'auto' }, group: { type: 'string' } },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error('--port: 0–65535');
if (!['auto', 'real', 'demo'].includes(values.cccc)) throw new Error('--cccc: auto | real | demo');

let demo: Demo | undefined;
let vite: ViteDevServer | undefined;
let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await vite?.close().catch(() => undefined);
  await demo?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  demo = await startDemo({ cccc: values.cccc as CcccMode, ...(values.group ? { group: values.group } : {}), buildUi: false, log: say });
  vite = await createServer(devServerConfig({ target: demo.controlOrigin, port }));
  await vite.listen();
  const address = vite.httpServer?.address();
  const uiPort = typeof address === 'object' && address ? address.port : port;
  process.stdout.write(
    [
      '',
      `  Control UI (Vite, hot reload)  http://127.0.0.1:${uiPort}/#token=${demo.controlToken}`,
      `  DingTalk sandbox chat          ${demo.chatUrl}`,
      `  Bridge service (serve)         ${demo.controlOrigin}`,
      '  Ctrl-C stops everything.',
      '',
    ].join('\n') + '\n',
  );
  void demo.serveExited.then(() => {
    if (stopping) return;
    say('The bridge service ended; stopping.');
    void shutdown(1);
  });
} catch (err) {
  say(`npm run dev: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
