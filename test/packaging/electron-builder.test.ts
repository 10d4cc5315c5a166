/**
 * The installers' contents, proven without an Electron binary: electron-builder packs the Linux
 * `dir` target around a stand-in Electron, and the app.asar it writes is opened and checked
 * (the app's bundles and production modules in; tests, sources, maps, dev tools out), as are the
 * fuses it flipped and the update feed. The config is validated for every platform with
 * electron-builder's own schema. Needs `npm run build` first (`npm test` runs it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ICNS_TYPES, LINUX_ICON_SIZES, renderAppIcons, WINDOWS_APP_ICON_SIZES } from '../../build/app-icon';
import { readTraySource } from '../../assets/tray/generate';
import { retinaSibling, trayIconFile } from '../../electron/desktop/tray/icons';
import { TRAY_STATES } from '../../electron/desktop/tray/model';
import {
  createStandInElectron,
  ELECTRON_VERSION,
  packagesInListing,
  productionClosure,
  readManifest,
  ROOT,
  runElectronBuilder,
  STOCK_FUSES,
} from './packaging';

const BUILD_TIMEOUT_MS = 90_000;
const OWNER = 'example-owner';
const REPO = 'example-repo';

/** Dev tools that must never ship (beyond the general "nothing outside the production tree" check). */
const NEVER_SHIPPED = [
  'vitest',
  'typescript',
  'playwright-core',
  'esbuild',
  'electron',
  'electron-builder',
  'electron-vite',
  'vite',
  'tsx',
  'eslint',
  '@resvg/resvg-js',
  'react',
  'react-dom',
  'happy-dom',
];

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'));
}

describe('packaging: electron-builder Linux dir target around a stand-in Electron', () => {
  let work: string;
  let appDir: string;
  let files: string[];
  let fileSet: Set<string>;
  let buildOutput = '';

  beforeAll(async () => {
    for (const bundle of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      if (!existsSync(join(ROOT, bundle))) throw new Error(`${bundle} is missing: run \`npm run build\` first`);
    }
    work = await mkdtemp(join(tmpdir(), 'cccc-packaging-'));
    const electronDist = await createStandInElectron(join(work, 'electron-dist'));
    const run = await runElectronBuilder(
      [
        '--linux',
        'dir',
        '--x64',
        '--publish',
        'never',
        `-c.electronVersion=${ELECTRON_VERSION}`,
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${join(work, 'release')}`,
        `-c.publish.owner=${OWNER}`,
        `-c.publish.repo=${REPO}`,
      ],
      BUILD_TIMEOUT_MS,
    );
    buildOutput = run.output;
    if (run.code !== 0) throw new Error(`electron-builder exited with ${run.code}:\n${run.output}`);
    appDir = join(work, 'release', 'linux-unpacked');
    files = listPackage(join(appDir, 'resources', 'app.asar'), { isPack: false }).map((f) => f.split('\\').join('/'));
    fileSet = new Set(files);
  }, BUILD_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('downloads nothing: Electron came from the stand-in, no tool binaries were fetched', () => {
    expect(buildOutput).toContain('using custom unpacked Electron distribution');
    expect(buildOutput).not.toMatch(/downloading|downloaded/i);
  });

  it('the app.asar holds the main, preload and renderer bundles and the tray icons', () => {
    expect(fileSet.has('/package.json')).toBe(true);
    // The sandbox chat page ships prebuilt: the app has no esbuild at run time.
    expect(fileSet.has('/out/main/sandbox-page.json')).toBe(true);
    for (const bundle of ['out/main', 'out/preload', 'out/renderer']) {
      const built = listFiles(join(ROOT, bundle)).filter((f) => !f.endsWith('.map'));
      expect(built.length).toBeGreaterThan(0);
      for (const f of built) expect(fileSet.has(`/${bundle}/${f}`), `${bundle}/${f}`).toBe(true);
    }
    for (const state of TRAY_STATES) {
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        const file = trayIconFile(platform, state).split('\\').join('/');
        expect(fileSet.has(`/assets/tray/${file}`), file).toBe(true);
        if (file.endsWith('.png')) expect(fileSet.has(`/assets/tray/${retinaSibling(file)}`)).toBe(true);
      }
    }
  });

  it('the packaged package.json points at the main bundle and carries the version, without scripts or devDependencies', () => {
    const packaged = JSON.parse(extractFile(join(appDir, 'resources', 'app.asar'), 'package.json').toString()) as Record<string, unknown>;
    const own = readManifest(ROOT) as unknown as Record<string, unknown>;
    expect(packaged.main).toBe('out/main/index.js');
    expect(fileSet.has(`/${String(packaged.main)}`)).toBe(true);
    expect(packaged.version).toBe(own.version);
    expect(packaged.productName).toBe(own.productName);
    expect(packaged.scripts).toBeUndefined();
    expect(packaged.devDependencies).toBeUndefined();
  });

  it('every production module is inside, and no other module', () => {
    const { required, allowed } = productionClosure();
    const inside = packagesInListing(files);
    for (const dep of Object.keys(readManifest(ROOT).dependencies ?? {})) expect(required.has(dep)).toBe(true);
    for (const name of required) expect(inside.has(name), `production module ${name} is missing`).toBe(true);
    for (const name of inside) expect(allowed.has(name), `${name} is not a production module`).toBe(true);
    for (const name of NEVER_SHIPPED) expect(inside.has(name), `${name} must not ship`).toBe(false);
  });

  it('nothing from the sources, the tests or the tooling: no test/, no TypeScript, no source maps', () => {
    const own = files.filter((f) => f !== '/node_modules' && !f.startsWith('/node_modules/'));
    const ownTop = new Set(own.map((f) => f.split('/')[1]));
    expect([...ownTop].sort()).toEqual(['assets', 'out', 'package.json']);
    expect(own.filter((f) => f.startsWith('/out/') && !/^\/out\/(main|preload|renderer)(\/|$)/.test(f))).toEqual([]);
    expect(own.filter((f) => f.startsWith('/assets/') && !/^\/assets(\/tray(\/(mac|win|linux)(\/[^/]+\.(png|ico))?)?)?$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.(ts|tsx|mts|cts|map)$/.test(f))).toEqual([]);
    expect(files.filter((f) => /\/(test|tests|__tests__)\//.test(f))).toEqual([]);
  });

  it('flips the Electron fuses: no run-as-node, app only from the asar, cookies encrypted, asar integrity', async () => {
    const exe = join(appDir, 'cccc-dingtalk-bridge');
    expect(existsSync(exe)).toBe(true);
    const wire = (await getCurrentFuseWire(exe)) as unknown as Record<FuseV1Options, number>;
    const [OFF, ON] = [0x30, 0x31]; // the wire's '0' and '1'
    // The stand-in starts from Electron's defaults, so each of these really changed.
    expect(STOCK_FUSES).toBe('10110001');
    expect(wire[FuseV1Options.RunAsNode]).toBe(OFF);
    expect(wire[FuseV1Options.EnableCookieEncryption]).toBe(ON);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(OFF);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(OFF);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ON);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ON);
    expect(wire[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(OFF);
  });

  it('bakes the GitHub releases feed into app-update.yml for electron-updater', () => {
    const feed = parseYaml(readFileSync(join(appDir, 'resources', 'app-update.yml'), 'utf8')) as Record<string, unknown>;
    expect(feed).toMatchObject({ provider: 'github', owner: OWNER, repo: REPO });
  });
});

type Target = { target: string; arch: string[] };

// electron-builder's own loader and schema validation (what every `electron-builder` run does first).
const config: Configuration = await getConfig(ROOT, null, null);

describe('packaging: electron-builder.yml for macOS, Windows and Linux', () => {
  const validate = (c: Configuration): Promise<void> => validateConfiguration(structuredClone(c), new DebugLogger(false));
  const targets = (c: { target?: unknown } | null | undefined): Target[] => (c?.target ?? []) as Target[];

  it('passes electron-builder 26 schema validation, which does reject a broken config', async () => {
    await expect(validate(config)).resolves.toBeUndefined();
    await expect(validate({ ...config, nsis: { ...config.nsis, perMachine: 'yes' as unknown as boolean } })).rejects.toThrow(/perMachine/);
    await expect(validate({ ...config, mac: { ...config.mac, dmgg: true } as Configuration['mac'] })).rejects.toThrow(/configuration\.mac/);
  });

  it('app id is the AppUserModelID main sets; name and version come from package.json', () => {
    const appTs = readFileSync(join(ROOT, 'electron/main/app.ts'), 'utf8');
    const modelId = /APP_USER_MODEL_ID = '([^']+)'/.exec(appTs)?.[1];
    expect(config.appId).toBe(modelId);
    expect(config.productName).toBeUndefined();
    expect(config.extraMetadata).toBeUndefined();
    expect(config.buildVersion).toBeUndefined();
    expect(readManifest(ROOT)).toMatchObject({ productName: 'CCCC DingTalk Bridge', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('macOS: dmg to download plus zip for updates, Intel and Apple silicon, tray-only (LSUIElement)', () => {
    expect(targets(config.mac)).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ]);
    expect(config.mac?.extendInfo).toMatchObject({ LSUIElement: true });
    expect(config.mac?.hardenedRuntime).toBe(true);
  });

  it('Windows: a one-click NSIS installer for the current user, never asking for admin, with a Start menu entry', () => {
    expect(targets(config.win)).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false, allowElevation: false, createStartMenuShortcut: true });
  });

  it('Linux: AppImage and deb', () => {
    expect(targets(config.linux).map((t) => t.target)).toEqual(['AppImage', 'deb']);
    expect(config.linux?.executableName).toBe('cccc-dingtalk-bridge');
  });

  it('asar with fuses, only the built app in files, the GitHub releases feed', () => {
    expect(config.asar).toBe(true);
    expect(config.npmRebuild).toBe(false);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
    });
    // The loader turns the list into one file set.
    expect(config.files).toEqual([{ filter: expect.arrayContaining(['out/main/**', 'out/preload/**', 'out/renderer/**', '!**/*.map']) }]);
    expect(config.publish).toMatchObject({ provider: 'github' });
  });

  it('every platform icon is one the generator writes, in a format the OS reads', () => {
    const icons = renderAppIcons(readTraySource());
    const fromBuildIcons = (p: unknown): string =>
      relative(join(ROOT, 'build', 'icons'), join(ROOT, String(p)))
        .split('\\')
        .join('/');

    const icnsFile = icons.get(fromBuildIcons(config.mac?.icon));
    expect(icnsFile?.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icnsFile?.readUInt32BE(4)).toBe(icnsFile?.length);
    const entries = new Map<string, number>();
    for (let at = 8; icnsFile && at < icnsFile.length; at += icnsFile.readUInt32BE(at + 4)) {
      entries.set(icnsFile.subarray(at, at + 4).toString('ascii'), icnsFile.readUInt32BE(at + 8 + 16));
    }
    expect(entries).toEqual(new Map(ICNS_TYPES.map(([type, size]) => [type, size])));

    const icoFile = icons.get(fromBuildIcons(config.win?.icon));
    expect(icoFile?.readUInt16LE(2)).toBe(1);
    const count = icoFile?.readUInt16LE(4) ?? 0;
    const sizes = Array.from({ length: count }, (_, i) => icoFile!.readUInt8(6 + 16 * i) || 256);
    expect(sizes).toEqual([...WINDOWS_APP_ICON_SIZES]);

    const linuxDir = fromBuildIcons(config.linux?.icon);
    for (const size of LINUX_ICON_SIZES) {
      const png = icons.get(`${linuxDir}/${size}x${size}.png`);
      expect([png?.readUInt32BE(16), png?.readUInt32BE(20)]).toEqual([size, size]);
    }
  });
});
