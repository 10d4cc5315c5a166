/**
 * The READMEs stay true to the product: both languages link to each other, every picture they
 * show exists, every robot command (and its short form) is documented, and the installers they
 * describe are the ones electron-builder.yml builds.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HELP } from '../../electron/core/bridge/replies';
import { ROOT } from './packaging';

const en = readFileSync(join(ROOT, 'README.md'), 'utf8');
const zh = readFileSync(join(ROOT, 'README.zh-CN.md'), 'utf8');
const readmes = { 'README.md': en, 'README.zh-CN.md': zh };

describe('README (English) and README.zh-CN.md', () => {
  it('link to each other near the top', () => {
    expect(en.slice(0, 1500)).toContain('](README.zh-CN.md)');
    expect(zh.slice(0, 1500)).toContain('](README.md)');
  });

  it('every image they show is in docs/screenshots and exists', () => {
    for (const [name, text] of Object.entries(readmes)) {
      const images = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
      expect(images.length, name).toBeGreaterThanOrEqual(5);
      for (const image of images) {
        expect(image, name).toMatch(/^docs\/screenshots\/[\w-]+\.png$/);
        expect(existsSync(join(ROOT, image)), `${name}: ${image}`).toBe(true);
      }
    }
  });

  it('document every command the robot knows, with its short forms', () => {
    const words = HELP.map((h) => h.command.split(' ')[0]!);
    const shortForms = ['/sub', '/unsub', '/s', '/ctx', '/v', '/start', '/stop', '/h'];
    for (const [name, text] of Object.entries(readmes)) {
      for (const w of [...new Set(words), ...shortForms]) expect(text.includes(`\`${w}\``) || text.includes(`\`${w} `), `${name} documents ${w}`).toBe(true);
      // Targets: @all, @peers, and a placeholder for one agent (worded per language).
      for (const h of HELP.filter((e) => e.command.includes('@')))
        expect(text, `${name}: ${h.command}`).toContain(h.command.split(' ').slice(0, 2).join(' ').replace(/@<.*$/, '@<'));
    }
  });

  it('name the installers electron-builder.yml builds, and how to build them', () => {
    const config = parseYaml(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { artifactName: string };
    expect(config.artifactName).toBe('cccc-dingtalk-bridge-${version}-${os}-${arch}.${ext}');
    for (const text of Object.values(readmes)) {
      for (const file of ['mac-arm64.dmg', 'mac-x64.dmg', 'win-x64.exe', 'linux-x86_64.AppImage', 'linux-amd64.deb'])
        expect(text).toContain(`cccc-dingtalk-bridge-X.Y.Z-${file}`);
      for (const command of ['npm run dist', 'LSUIElement', 'CCCC_DINGTALK_NO_UPDATES=1', 'safeStorage', 'audit.jsonl', 'git tag vX.Y.Z'])
        expect(text).toContain(command);
    }
  });

  it('say that unsigned builds are not verified by the updater, in both languages and in the release workflow', () => {
    expect(en).toContain('**Unsigned builds are not verified by the updater.**');
    expect(zh).toContain('**未签名的版本不会被更新程序校验。**');
    const release = readFileSync(join(ROOT, '.github', 'workflows', 'release.yml'), 'utf8');
    expect(release).toContain('Unsigned builds are not verified by the updater');
    expect(release).toMatch(/printf '\\nsigned: %s\\n' "\$SIGNED" >> "\$feed"/);
  });
});
