import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFileFor, serveAppFile } from '../../../electron/desktop/app-protocol';

let root: string;
let outside: string;
beforeEach(async () => {
  const base = await mkdtemp(join(tmpdir(), 'app-protocol-'));
  root = join(base, 'renderer');
  outside = join(base, 'secret.json');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'data.bin'), 'x');
  await writeFile(outside, '{"secret":true}');
});
afterEach(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

describe('app:// protocol', () => {
  it('maps app://bundle paths into the renderer folder only', () => {
    expect(appFileFor(root, 'app://bundle/index.html')).toBe(join(root, 'index.html'));
    expect(appFileFor(root, 'app://bundle/')).toBe(join(root, 'index.html'));
    expect(appFileFor(root, 'app://bundle/assets/index-abc.js?v=1#x')).toBe(join(root, 'assets', 'index-abc.js'));
    expect(appFileFor(root, 'app://bundle/../secret.json')).toBe(join(root, 'secret.json')); // URL parsing drops the ..
    expect(appFileFor(root, 'app://bundle/%2e%2e/secret.json')).toBe(join(root, 'secret.json')); // so does an encoded one
    expect(appFileFor(root, 'app://bundle/assets/%2e%2e%2f..%2fsecret.json')).toBeUndefined();
    expect(appFileFor(root, 'app://bundle/a%5c..%5c..%5csecret.json')).toBeUndefined();
    expect(appFileFor(root, 'app://bundle/%00')).toBeUndefined();
    expect(appFileFor(root, 'app://bundle/%E0%A4%A')).toBeUndefined();
    expect(appFileFor(root, 'app://other/index.html')).toBeUndefined();
    expect(appFileFor(root, 'file:///etc/passwd')).toBeUndefined();
    expect(appFileFor(root, 'nonsense')).toBeUndefined();
  });

  it('answers files with their type, the CSP and nosniff; anything else is a bare 404', async () => {
    const csp = "default-src 'self'";
    const page = await serveAppFile(root, 'app://bundle/index.html', csp);
    expect(page).toMatchObject({
      status: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
    expect(page.body.toString()).toContain('<title>x</title>');
    expect(await serveAppFile(root, 'app://bundle/assets/index-abc.js', csp)).toMatchObject({
      status: 200,
      headers: { 'Content-Type': 'text/javascript; charset=utf-8' },
    });
    for (const url of ['app://bundle/missing.js', 'app://bundle/assets/data.bin', 'app://bundle/%2e%2e/secret.json', 'app://bundle/assets']) {
      const r = await serveAppFile(root, url, csp);
      expect(r, url).toMatchObject({ status: 404, body: 'Not found', headers: { 'Content-Security-Policy': csp } });
    }
  });
});
