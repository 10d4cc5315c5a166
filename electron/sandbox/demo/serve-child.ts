/**
 * The demo's control UI process: `cccc-dingtalk serve --json --quiet`, which runs the bridge
 * and its UI, plus one duty of a child — it stops itself when the demo process goes away
 * without stopping it (the IPC channel closes when the parent dies, even by SIGKILL).
 */
import { main } from '../../cli/main';

let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (signalled = true));
// A second signal would make serve skip its clean stop: only an orphan signals itself.
process.once('disconnect', () => {
  if (!signalled) process.kill(process.pid, 'SIGTERM');
});
const code = await main(['serve', '--json', '--quiet']);
process.exit(code);
