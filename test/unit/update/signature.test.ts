/** Signedness from real signals: app-update.yml's publisherName (Windows), `codesign -dv` (macOS), the feed's `signed`. */
import { describe, expect, it } from 'vitest';
import { macSignedness, signatureVerdict, updateSignedness, windowsSignedness } from '../../../electron/core/update/signature';

describe('code signatures', () => {
  it('Windows: electron-builder writes publisherName into app-update.yml only for a signed build', () => {
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\npublisherName:\n  - ACME Ltd\n')).toBe('signed');
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\npublisherName: ACME Ltd\n')).toBe('signed');
    expect(windowsSignedness('provider: github\nowner: acme\nrepo: r\n')).toBe('unsigned');
    expect(windowsSignedness(undefined)).toBe('unsigned');
    expect(windowsSignedness(': not yaml [')).toBe('unsigned');
  });

  it('macOS: a Developer ID authority is signed; ad-hoc is not', () => {
    expect(macSignedness('Executable=/Applications/X.app/Contents/MacOS/X\nAuthority=Developer ID Application: ACME Ltd (ABCDE12345)\nAuthority=Developer ID Certification Authority\nTeamIdentifier=ABCDE12345\n')).toBe('signed');
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
});
