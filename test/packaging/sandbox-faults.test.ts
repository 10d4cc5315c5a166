/**
 * The sandbox ships in the app ("Try it in the sandbox"), its fault injection does not: the
 * faults tests switch on in the fake DingTalk and the fake CCCC live in test/fakes/*\/faults.ts,
 * plugged into hooks. This reads electron-vite's main bundle (out/main; `npm run build` first,
 * as `npm test` does) — the code electron-builder packs into app.asar — and fails if any of
 * that fault code is in it. Each marker is checked to be in the fault sources, so a renamed
 * fault cannot leave the test looking for nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './packaging';

const FAULT_SOURCES = ['test/fakes/dingtalk/faults.ts', 'test/fakes/cccc/faults.ts'];

/** Names and strings only the fault injection uses. */
const FAULT_MARKERS = [
  'setFault',
  'setConnectionFault',
  'networkErrorNext',
  'openAuthFail',
  'openSystemError',
  'wsRefuse',
  'invalidTicketOnConnect',
  'dropAcks',
  'otoFlowControlled',
  'webhookExpired',
  'httpDelayMs',
  'after-handling',
  'bad-envelope',
  '<html>502 Bad Gateway</html>',
];

/** Proof the sandbox itself is in the bundle, so the absence of its faults means something. */
const SANDBOX_MARKERS = ['connections.open', 'ccccd.addr.json', 'sandbox-page'];

function bundleText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(c|m)?js$/.test(f))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('sandbox fault injection stays out of the app', () => {
  const outMain = join(ROOT, 'out', 'main');

  it('every marker names fault code in the test fakes', () => {
    const sources = FAULT_SOURCES.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const marker of FAULT_MARKERS) expect(sources, marker).toContain(marker);
  });

  it('the main bundle has the sandbox but none of its fault injection', () => {
    expect(existsSync(outMain), 'out/main is missing: run `npm run build` first').toBe(true);
    const bundle = bundleText(outMain);
    for (const marker of SANDBOX_MARKERS) expect(bundle, marker).toContain(marker);
    const found = FAULT_MARKERS.filter((m) => bundle.includes(m));
    expect(found).toEqual([]);
  });

  it('no app source imports the test fakes', () => {
    const dir = join(ROOT, 'electron');
    const offenders = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.tsx?$/.test(f))
      .filter((f) => /from\s+['"][^'"]*\/test\//.test(readFileSync(join(dir, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
