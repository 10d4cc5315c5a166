/** Signedness from real signals: app-update.yml's publisherName (Windows), `codesign -dv` (macOS), the feed's `signed`. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectSignedness, macSignedness, signatureVerdict, updateSignedness, windowsSignedness } from '../../../../electron/desktop/update/signature';

describe('code signatures', () => {
  it('Windows: electron-builder writes publisherName into app-update.yml only for a signed build', () => {
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\npublisherName:\n  - ACME Ltd\n')).toBe('signed');
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\npublisherName: ACME Ltd\n')).toBe('signed');
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\n')).toBe('unsigned');
    expect(windowsSignedness(undefined)).toBe('unsigned');
    expect(windowsSignedness(': not yaml [')).toBe('unsigned');
  });

  it('macOS: a Developer ID authority is signed; ad-hoc is not', () => {
    expect(
      macSignedness(
        'Executable=/Applications/X.app/Contents/MacOS/X\nAuthority=Developer ID Application: ACME Ltd (ABCDE12345)\nAuthority=Developer ID Certification Authority\nTeamIdentifier=ABCDE12345\n',
      ),
    ).toBe('signed');
    expect(macSignedness('Executable=/Applications/X.app/Contents/MacOS/X\nSignature=adhoc\nTeamIdentifier=not set\n')).toBe('unsigned');
    expect(macSignedness('/Applications/X.app: code object is not signed at all\n')).toBe('unsigned');
  });

  it('the feed says whether the release was signed; older feeds do not', () => {
    expect(updateSignedness({ version: '1.2.0', signed: true })).toBe('signed');
    expect(updateSignedness({ version: '1.2.0', signed: false })).toBe('unsigned');
    expect(updateSignedness({ version: '1.2.0' })).toBeUndefined();
  });

  it('refuses a signature change on Windows and macOS only', () => {
    expect(signatureVerdict('win32', 'unsigned', 'signed')).toEqual({ install: false, why: 'unsigned-build' });
    expect(signatureVerdict('darwin', 'signed', 'unsigned')).toEqual({ install: false, why: 'unsigned-update' });
    expect(signatureVerdict('win32', 'signed', 'signed')).toEqual({ install: true });
    expect(signatureVerdict('win32', 'signed', undefined)).toEqual({ install: true });
    expect(signatureVerdict('linux', 'unsigned', 'signed')).toEqual({ install: true });
  });

  it("reads the running build's signature where each system keeps it", async () => {
    const resources = await mkdtemp(join(tmpdir(), 'resources-'));
    try {
      const win = { platform: 'win32' as const, resourcesPath: resources, execPath: 'C:/App/app.exe' };
      expect(await detectSignedness(win)).toBe('unsigned');
      await writeFile(join(resources, 'app-update.yml'), 'provider: github\npublisherName: ACME Ltd\n');
      expect(await detectSignedness(win)).toBe('signed');
      const asked: string[] = [];
      const codesign = (bundle: string): Promise<string> => (asked.push(bundle), Promise.resolve('Authority=Developer ID Application: ACME Ltd (X)\n'));
      expect(await detectSignedness({ platform: 'darwin', resourcesPath: resources, execPath: '/Applications/X.app/Contents/MacOS/X', codesign })).toBe(
        'signed',
      );
      expect(asked).toEqual(['/Applications/X.app']);
      expect(await detectSignedness({ platform: 'linux', resourcesPath: resources, execPath: '/opt/x/x' })).toBe('unsigned');
    } finally {
      await rm(resources, { recursive: true, force: true });
    }
  });
});
