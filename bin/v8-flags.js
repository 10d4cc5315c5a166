/**
 * V8 settings of a `cccc-dingtalk` process, set by the launcher before the CLI loads (node reads
 * none of them from the environment, and a second process to pass them would cost more than they
 * save). A bridge runs for weeks and mostly waits: `--optimize-for-size` makes V8 grow the heap
 * by less after each collection, so resident memory follows what is live instead of staying at a
 * burst's high-water mark. Measured with `npm run bench -- bridge-memory` (the CLI, 2,000
 * messages): 146 → 91 MB after the burst; the latency benchmark runs with the same flags.
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--optimize-for-size'];

export function applyV8Flags() {
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
}
