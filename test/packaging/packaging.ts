/**
 * Helpers for the packaging check: a stand-in Electron distribution (no Electron binary can be
 * downloaded here), electron-builder's CLI run offline, and the app's production dependency tree.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { killAfter } from '../helpers/wait';

export const ROOT = join(import.meta.dirname, '..', '..');
export const ELECTRON_VERSION = '45.4.1';

const require = createRequire(import.meta.url);

/** @electron/fuses looks for this marker; the wire follows it (version, length, one byte per fuse). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults ('1' on, '0' off), so the test sees each configured fuse really flipped. */
export const STOCK_FUSES = '10110001';

/**
 * A directory electron-builder accepts as an unpacked Electron: an executable `electron` (a shell
 * script) that carries a fuse wire like the real binary, so the fuses config is exercised too.
 */
export async function createStandInElectron(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const wire = `${FUSE_SENTINEL}\x01${String.fromCharCode(STOCK_FUSES.length)}${STOCK_FUSES}`;
  const file = join(dir, 'electron');
  await writeFile(file, `#!/bin/sh\n# Stand-in for the Electron binary in the packaging test.\n# ${wire}\nexit 0\n`, 'latin1');
  await chmod(file, 0o755);
  await writeFile(join(dir, 'version'), ELECTRON_VERSION);
  return dir;
}

/** Anything trying to download (Electron, electron-builder's tool binaries) hits a closed loopback port. */
const NO_DOWNLOADS = {
  ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
  ELECTRON_MIRROR: 'http://127.0.0.1:9/',
  ELECTRON_BUILDER_BINARIES_MIRROR: 'http://127.0.0.1:9/',
  ELECTRON_BUILDER_BINARIES_DOWNLOAD_OVERRIDE_URL: 'http://127.0.0.1:9',
  ELECTRON_BUILDER_BINARIES_ALLOW_HTTP: 'true',
  HTTP_PROXY: 'http://127.0.0.1:9',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  NO_PROXY: '',
};

export interface BuilderRun {
  code: number | null;
  output: string;
}

/** Runs electron-builder's CLI in the project with extra arguments; resolves with its exit code and output. */
export function runElectronBuilder(args: readonly string[], timeoutMs: number): Promise<BuilderRun> {
  const cli = require.resolve('electron-builder/cli.js');
  // electron-builder goes quiet under vitest (it checks VITEST): the test reads its log.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: ROOT,
      env: { ...env, ...NO_DOWNLOADS, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const cancelKill = killAfter(child, timeoutMs);
    child.on('error', (err) => {
      cancelKill();
      reject(err);
    });
    child.on('close', (code) => {
      cancelKill();
      resolve({ code, output });
    });
  });
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node would find `name` when required from package directory `from` (walking up node_modules). */
function resolvePackageDir(name: string, from: string): string | undefined {
  for (let dir = from; dir.startsWith(ROOT); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
  }
  return undefined;
}

export interface DependencyClosure {
  /** Packages the app needs at run time: dependencies and installed optional dependencies, transitively. */
  required: Set<string>;
  /** Also allowed inside: installed peer dependencies of those (npm installs them alongside). */
  allowed: Set<string>;
}

/** The production dependency tree of the project, by package name. */
export function productionClosure(): DependencyClosure {
  const required = new Set<string>();
  const allowed = new Set<string>();
  const seen = new Set<string>();
  const visit = (dir: string, viaPeer: boolean): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    const m = readManifest(dir);
    if (dir !== ROOT) {
      allowed.add(m.name);
      if (!viaPeer) required.add(m.name);
    }
    for (const name of Object.keys({ ...m.dependencies, ...m.optionalDependencies })) {
      const found = resolvePackageDir(name, dir);
      if (found) visit(found, viaPeer);
      else if (!(name in (m.optionalDependencies ?? {}))) throw new Error(`${m.name} needs ${name}, which is not installed`);
    }
    for (const name of Object.keys(m.peerDependencies ?? {})) {
      const found = resolvePackageDir(name, dir);
      if (found) visit(found, true);
    }
  };
  visit(ROOT, false);
  return { required, allowed };
}

/** Package names inside an asar listing: every `…/node_modules/<name>/package.json`. */
export function packagesInListing(files: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) {
    const m = /^(?:\/node_modules\/(?:@[^/]+\/)?[^/]+)*\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(f.replace(/\\/g, '/'));
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}
