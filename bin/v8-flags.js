/**
 * V8 settings of a `cccc-dingtalk` process, set by the launcher before the CLI loads (node reads
 * none of them from the environment, and a second process to pass them would cost more than they
 * save). A bridge runs for weeks and mostly waits: `--optimize-for-size` makes V8 grow the heap
 * by less after each collection, so resident memory follows what is live instead of staying at a
 * burst's high-water mark. Measured with `npm run bench -- bridge-memory` (the CLI, 2,000
 * messages): 146 → 91 MB after the burst; the latency benchmark runs with the same flags.
 * With 10,000 + 10,000 messages (idle / after 10k / 10k→20k growth, RSS): 63.8 / 89.4 / +6.5
 * MB, then 62.2 / 82.5 / +7.1 MB with an ASCII-only bundle, a 64 kB ledger read buffer and
 * MALLOC_ARENA_MAX=2 for the detached child; 61.5 / 79.5 / +2.9 MB (peak 101.2) with the
 * DingTalk HTTP deadlines as cleared timers; 59.5 / 76.3 / -0.8 MB (peak 95.1) with glibc's
 * mmap and trim thresholds fixed at 128 kB for the child (electron/cli/commands/start.ts
 * childEnv); 59.8 / 74.4 / 0 MB (peak 90.3) with dedup ids as hashes in typed arrays
 * (electron/core/util/recent-ids.ts); unpaired runs on a loaded machine. On another machine the
 * same commit read 66.9 idle: with no LANG the CLI asked Intl for the system locale, ~8 MB of ICU
 * data for the life of the process; Linux now answers C without Intl (core/i18n/locale.ts):
 * 59.6–60.7 / 71.6–75.7 / -5.4…+5.5 MB over four runs (the growth is the V8 heap's timing; file-
 * backed pages stay flat).
 * `--max-semi-space-size=1` showed no clear gain after 10k (88.7 vs 89.4 MB, unpaired runs on a
 * loaded machine), so it is not set; about 39 MB
 * of every reading is the node binary's own mapped pages.
 */
import { setFlagsFromString } from 'node:v8';

export const V8_FLAGS = ['--optimize-for-size'];

export function applyV8Flags() {
  for (const flag of V8_FLAGS) setFlagsFromString(flag);
}
