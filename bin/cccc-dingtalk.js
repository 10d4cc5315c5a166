#!/usr/bin/env node
// Runs the CLI from the checkout on plain node, bundled on demand from the TypeScript sources
// (bin/cli-bundle.js), so `npx cccc-dingtalk …` needs no build step. Where the bundle cannot be
// written (a read-only checkout), through tsx's loader instead: the same code, ~30 MB more memory.
// `start --detach` re-runs this same file.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliBundle } from './cli-bundle.js';
import { applyV8Flags } from './v8-flags.js';

applyV8Flags();
let entry;
try {
  entry = pathToFileURL(await cliBundle(fileURLToPath(new URL('..', import.meta.url)))).href;
} catch {
  const { register } = await import('tsx/esm/api');
  register();
  entry = '../electron/cli/index.ts';
}
await import(entry);
