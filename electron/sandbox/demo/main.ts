/**
 * Entry of `npm run demo` (node --import tsx electron/sandbox/demo/main.ts): starts the demo,
 * prints where to go in 中文 and English, and on Ctrl-C (SIGINT) or SIGTERM stops everything it
 * started and exits 0. `--json` prints one line with the addresses instead (for scripts and tests).
 */
import { parseArgs } from 'node:util';
import { startDemo, type Demo } from './demo';
import { DemoSetupError, type CcccMode } from './cccc';

const HELP = `npm run demo [-- options]

试用 CCCC DingTalk Bridge：钉钉沙盒 + CCCC + 桥接和控制台，无需钉钉账号。
Try the CCCC DingTalk Bridge with no DingTalk account: sandbox + CCCC + bridge and control UI.

  --port N          聊天页端口 / chat page port (default: any free port)
  --cccc MODE       auto（默认：有运行中的 CCCC 就用它）| real | demo（脚本智能体 / scripted agents）
  --group ID        使用真实 CCCC 的哪个工作组 / which group of a real CCCC
  --json            只输出一行 JSON 地址 / print one JSON line with the addresses
  -h, --help`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: 'string' },
        cccc: { type: 'string', default: 'auto' },
        group: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    });
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${HELP}`);
  }
})();

if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail('--port: 0–65535');
if (!['auto', 'real', 'demo'].includes(values.cccc)) fail('--cccc: auto | real | demo');

const say = (line = ''): void => void process.stderr.write(`${line}\n`);

function banner(demo: Demo): void {
  const out = (line = ''): void => void process.stdout.write(`${line}\n`);
  const cccc =
    demo.cccc.kind === 'demo'
      ? `演示智能体 foreman + peer（脚本回复，不是真的 AI） · demo agents (scripted)`
      : `你的 CCCC，工作组「${demo.cccc.groupTitle}」(${demo.cccc.groupId}) · your CCCC`;
  out();
  out('  CCCC DingTalk Bridge 演示已就绪 · demo ready');
  out();
  out(`  钉钉沙盒（聊天）  DingTalk sandbox chat   ${demo.chatUrl}`);
  out(`  控制台            Control UI              ${demo.controlUrl}`);
  out(`  CCCC              ${cccc}`);
  out();
  out('  1. 打开钉钉沙盒，在群里发送 /subscribe    Open the sandbox chat and send /subscribe');
  out('  2. 在控制台批准这个申请                   Approve the request in the control UI');
  out('  3. 发消息给 foreman，试试 /send @peer、/status、文件……   Talk to the foreman, try /send @peer, /status, files…');
  out();
  out('  按 Ctrl-C 停止，不留任何进程。 · Ctrl-C stops everything.');
  out();
}

let demo: Demo | undefined;
let starting: Promise<Demo> | undefined;
let stopping = false;

/** Stops whatever has started — also when the signal comes while the demo is still starting. */
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('正在停止… / Stopping…');
  const started = demo ?? (await starting?.catch(() => undefined));
  await started?.stop();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stopping) say('仍在停止，请稍候… / Still stopping, one moment…');
    else void shutdown(0);
  });
}

try {
  if (!values.json) say('正在启动钉钉沙盒、CCCC 和桥接… / Starting the sandbox, CCCC and the bridge…');
  starting = startDemo({ port, cccc: values.cccc as CcccMode, ...(values.group ? { group: values.group } : {}), log: say });
  demo = await starting;
  if (!stopping) {
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ chatUrl: demo.chatUrl, controlUrl: demo.controlUrl, controlOrigin: demo.controlOrigin, controlToken: demo.controlToken, cccc: demo.cccc, connected: demo.connected, servePid: demo.servePid, workDir: demo.workDir, dingtalkApiBase: demo.sandbox.dingtalk.apiBase })}\n`,
      );
    } else {
      banner(demo);
      if (!demo.connected) say('⚠ 桥接还没连上沙盒，控制台里可以看到原因。 / The bridge has not connected yet; the control UI shows why.');
    }
    void demo.serveExited.then((code) => {
      if (stopping) return;
      say(`控制台进程意外退出（${code}）。 / The control UI process exited unexpectedly (${code}).`);
      void shutdown(1);
    });
  }
} catch (err) {
  say(err instanceof DemoSetupError ? err.message : `演示没能启动 / The demo could not start: ${err instanceof Error ? err.message : String(err)}`);
  await shutdown(1);
}
