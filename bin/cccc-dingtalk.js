#!/usr/bin/env node
// Runs the TypeScript CLI from the checkout through tsx's ESM loader (installed by `npm ci`),
// so `npx cccc-dingtalk …` needs no build step. `start --detach` re-runs this same file.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/index.ts');
