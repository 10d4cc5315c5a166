/** Process entry of `cccc-dingtalk` (bin/cccc-dingtalk.js loads it). */
import { main } from './main';

const code = await main(process.argv.slice(2));
// Exit explicitly: a command has finished its work, and nothing may keep the process alive.
process.exit(code);
