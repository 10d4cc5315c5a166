/**
 * Benchmark runner: `npm run bench` runs every module in bench/*.ts that exports
 * `name` and `run(): Promise<Record<string, number>>` (helpers without them are skipped).
 * A module may also export `targets` (bench/targets.ts): each judged figure is printed with its
 * target and "pass"/"FAIL", and a missed target makes the run exit 1.
 * `npm run bench -- ledger outbox-burst` runs only the named ones; `-- --json` ends the
 * output with ONE line: a JSON object holding every figure (keys name the figure and unit),
 * `<figure>_target_met` (1/0) for each judged one, and `targets_missed`.
 * To add a benchmark, drop a module into bench/; nothing to register.
 */
import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { applyV8Flags } from '../bin/v8-flags.js';
import { describeTarget, meets, type Targets } from './targets';

// Latencies are measured under the V8 settings the CLI runs with.
applyV8Flags();

interface BenchModule {
  name: string;
  run: () => Promise<Record<string, number>>;
  targets?: Targets;
}

function isBench(m: Record<string, unknown>): m is Record<string, unknown> & BenchModule {
  return typeof m.name === 'string' && typeof m.run === 'function';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const only = new Set(args.filter((a) => !a.startsWith('--')));
  const dir = import.meta.dirname;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && f !== basename(import.meta.filename)).sort();

  const benches: BenchModule[] = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
    if (isBench(mod) && (only.size === 0 || only.has(mod.name))) benches.push(mod);
  }
  if (only.size > 0 && benches.length < only.size) {
    const found = new Set(benches.map((b) => b.name));
    throw new Error(`unknown benchmark(s): ${[...only].filter((n) => !found.has(n)).join(', ')}`);
  }

  const all: Record<string, number> = {};
  let failed = false;
  let missed = 0;
  for (const bench of benches) {
    process.stdout.write(`# ${bench.name}\n`);
    try {
      const figures = await bench.run();
      for (const [key, value] of Object.entries(figures)) {
        const unique = key in all ? `${bench.name}.${key}` : key;
        all[unique] = value;
        const target = bench.targets?.[key];
        if (!target) {
          process.stdout.write(`  ${unique} = ${value}\n`);
          continue;
        }
        const met = meets(value, target);
        if (!met) missed += 1;
        all[`${unique}_target_met`] = met ? 1 : 0;
        process.stdout.write(`  ${unique} = ${value}   (target ${describeTarget(target)}: ${met ? 'pass' : 'FAIL'})\n`);
      }
    } catch (err) {
      failed = true;
      // A benchmark that did not finish met none of its targets.
      missed += Object.keys(bench.targets ?? {}).length;
      process.stdout.write(`  FAILED: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  all['targets_missed'] = missed;
  process.stdout.write(`# targets: ${missed === 0 ? 'all met' : `${missed} missed`}\n`);
  if (missed > 0) failed = true;
  if (json) process.stdout.write(JSON.stringify(all) + '\n');
  if (failed) process.exitCode = 1;
}

await main();
