/**
 * Whether an update may replace this build, judged by code signatures. electron-updater checks
 * an update's signature only against a signed build (Windows: the publisherName electron-builder
 * writes into app-update.yml when it signs; macOS: Squirrel compares the two apps' signatures),
 * so an unsigned build would take any update unverified. A signed update over an unsigned build,
 * or an unsigned one over a signed build, is therefore never installed by itself: the person is
 * told why and downloads it by hand. Linux packages carry no code signature: no rule there.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export type Signedness = 'signed' | 'unsigned';

/** Windows: app-update.yml names a publisherName only when electron-builder signed the build. */
export function windowsSignedness(feedText: string | undefined): Signedness {
  let doc: unknown;
  try {
    doc = feedText === undefined ? undefined : parseYaml(feedText);
  } catch {
    return 'unsigned';
  }
  const name = typeof doc === 'object' && doc !== null ? (doc as { publisherName?: unknown }).publisherName : undefined;
  return (typeof name === 'string' && name.trim() !== '') || (Array.isArray(name) && name.length > 0) ? 'signed' : 'unsigned';
}

/** macOS: `codesign -dv` of the app. A Developer ID authority is signed; ad-hoc (or none) is not. */
export function macSignedness(codesignOutput: string): Signedness {
  return /^Authority=Developer ID Application:/m.test(codesignOutput) && !/^Signature=adhoc$/m.test(codesignOutput) ? 'signed' : 'unsigned';
}

/** The release workflow writes `signed: true|false` into the feed (latest*.yml); older feeds do not say. */
export function updateSignedness(info: unknown): Signedness | undefined {
  const signed = typeof info === 'object' && info !== null ? (info as { signed?: unknown }).signed : undefined;
  return signed === true ? 'signed' : signed === false ? 'unsigned' : undefined;
}

export type SignatureVerdict = { install: true } | { install: false; why: 'unsigned-build' | 'unsigned-update' };

export function signatureVerdict(platform: NodeJS.Platform, running: Signedness, update: Signedness | undefined): SignatureVerdict {
  if (platform !== 'win32' && platform !== 'darwin') return { install: true };
  if (running === 'unsigned' && update === 'signed') return { install: false, why: 'unsigned-build' };
  if (running === 'signed' && update === 'unsigned') return { install: false, why: 'unsigned-update' };
  return { install: true };
}

/** The running build's code signature: Windows from app-update.yml, macOS from `codesign -dv` of the app bundle. */
export async function detectSignedness(o: {
  platform: NodeJS.Platform;
  resourcesPath: string;
  execPath: string;
  /** Runs `codesign -dv` on a bundle and gives back what it printed; default /usr/bin/codesign. */
  codesign?: (bundle: string) => Promise<string>;
}): Promise<Signedness> {
  if (o.platform === 'win32') return windowsSignedness(await readFile(join(o.resourcesPath, 'app-update.yml'), 'utf8').catch(() => undefined));
  if (o.platform !== 'darwin') return 'unsigned';
  // …/Name.app/Contents/MacOS/Name → …/Name.app
  return macSignedness(await (o.codesign ?? codesignOutput)(resolve(o.execPath, '..', '..', '..')));
}

function codesignOutput(bundle: string): Promise<string> {
  return new Promise((done) => execFile('/usr/bin/codesign', ['-dv', '--verbose=2', bundle], (_err, stdout, stderr) => done(`${stdout}${stderr}`)));
}
