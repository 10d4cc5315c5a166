/**
 * The READMEs stay true to the product: both languages link to each other, every picture they
 * show exists, every robot command (and its short form) is documented, and the installers they
 * describe are the ones electron-builder.yml builds. Comments cite only the repo's own docs/,
 * and every section they cite is there.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { HELP } from '../../electron/core/i18n/replies';
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

/** Where comments may cite documents. */
const CITING = ['electron', 'test', 'bench', 'bin', 'renderer', 'build', 'assets', '.github', '.ci'];
const SELF = relative(ROOT, import.meta.filename);

function filesUnder(dir: string): string[] {
  if (!existsSync(join(ROOT, dir))) return [];
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|js|mjs|cjs|md|yml|sh)$|^run$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((f) => !f.split(/[\\/]/).includes('node_modules') && f !== SELF);
}

/** The comment text of a file: all of a Markdown file, the comment lines and line-end comments of code. */
function commentText(file: string, text: string): string {
  if (extname(file) === '.md') return text;
  const hash = /\.(yml|sh)$|(^|[\\/])run$/.test(file);
  return text
    .split('\n')
    .map((line) => {
      if (hash) return /^\s*#/.test(line) ? line : (line.split(' # ')[1] ?? '');
      if (/^\s*(\/\*|\*|\/\/)/.test(line)) return line;
      const i = line.indexOf(' // ');
      return i >= 0 ? line.slice(i) : '';
    })
    .join('\n');
}

/** Documents that were never part of this repository, and ways of citing them. */
const OUTSIDE = [
  /\.\.\/shared\b/,
  /\bshared\/docs\b/,
  /\b(ARCHITECTURE|field-lessons|wizard-steps)\.md\b/,
  /(^|[\s(`'"])seed\//,
  /\bfield lessons?\b/i,
  /\bprotocol doc\b/i,
  /CCCC_DAEMON_IPC|\bIPC v1 §/i,
];

const headingsOf = (doc: string): Set<string> => new Set([...readFileSync(doc, 'utf8').matchAll(/^##\s+(\d+)\./gm)].map((m) => m[1]!));

/** What is wrong with the document citations in one file's comments. */
function citationProblems(file: string, text: string): string[] {
  const comments = commentText(file, text);
  const problems: string[] = [];
  for (const pattern of OUTSIDE) {
    const hit = comments.match(pattern);
    if (hit) problems.push(`${file}: cites a document outside the repo (${hit[0].trim()})`);
  }
  const cites = [...comments.matchAll(/((?:\.\.\/)*docs\/[\w.-]+\.md)((?:\s*,?\s*§\s*\d+(?:\s*[–-]\s*\d+)?)*)/g)];
  for (const [, path, sections] of cites) {
    const doc = extname(file) === '.md' && path!.startsWith('..') ? resolve(ROOT, dirname(file), path!) : join(ROOT, path!.replace(/^(\.\.\/)+/, ''));
    if (!existsSync(doc)) {
      problems.push(`${file}: cites ${path}, which does not exist`);
      continue;
    }
    const headings = headingsOf(doc);
    for (const range of sections!.matchAll(/§\s*(\d+)(?:\s*[–-]\s*(\d+))?/g)) {
      const [from, to] = [Number(range[1]), Number(range[2] ?? range[1])];
      for (let n = from; n <= to; n++) if (!headings.has(String(n))) problems.push(`${file}: cites ${path} §${n}, which has no section ${n}`);
    }
  }
  // A bare "§N" must belong to a document the same file names.
  if (/§\s*\d/.test(comments.replace(/docs\/[\w.-]+\.md((\s*,?\s*§\s*\d+(\s*[–-]\s*\d+)?)*)/g, '')) && cites.length === 0)
    problems.push(`${file}: cites a section (§) without naming its document in docs/`);
  return problems;
}

describe('documents cited in comments', () => {
  it('are in docs/, and so is every section they cite', () => {
    const problems = CITING.flatMap(filesUnder).flatMap((file) => citationProblems(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('the check catches a citation of an outside document, a missing doc and a missing section', () => {
    expect(citationProblems('a.ts', '/** Format per ../shared/docs/cccc-contract.md. */')).not.toEqual([]);
    expect(citationProblems('a.ts', '// see field lesson 12')).not.toEqual([]);
    expect(citationProblems('a.ts', ' * (protocol doc §4)')).not.toEqual([]);
    expect(citationProblems('a.ts', '// CCCC_DAEMON_IPC_V1 §5')).not.toEqual([]);
    expect(citationProblems('a.ts', '// docs/nowhere.md')).toEqual(['a.ts: cites docs/nowhere.md, which does not exist']);
    expect(citationProblems('a.ts', '// docs/dingtalk-protocol.md §1–3, §42')).toEqual(['a.ts: cites docs/dingtalk-protocol.md §42, which has no section 42']);
    expect(citationProblems('a.ts', '/** (§4) */')).toEqual(['a.ts: cites a section (§) without naming its document in docs/']);
    expect(citationProblems('x/y/README.md', 'see [it](../../docs/cccc-contract.md) §7')).toEqual([]);
    expect(citationProblems('a.ts', "import { API } from '../shared/api';\n// docs/cccc-contract.md §7 and §2")).toEqual([]);
  });

  it('docs/ and CONTRIBUTING.md link only to files that exist', () => {
    const docs = [
      'CONTRIBUTING.md',
      ...readdirSync(join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    expect(docs).toEqual(expect.arrayContaining(['CONTRIBUTING.md', 'docs/architecture.md', 'docs/dingtalk-protocol.md', 'docs/cccc-contract.md']));
    for (const doc of docs) {
      for (const [, target] of readFileSync(join(ROOT, doc), 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        expect(existsSync(resolve(ROOT, dirname(doc), target!)), `${doc} → ${target}`).toBe(true);
      }
    }
  });
});
