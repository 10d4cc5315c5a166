/**
 * The CLI as one JavaScript file for plain node, built from the checkout's sources on demand.
 * Running the TypeScript through tsx's loader costs ~30 MB of resident memory for as long as the
 * process lives (its compiler runs in a loader thread with its own heap) — too much for a bridge
 * that runs for weeks. The bundle is rebuilt (~0.2 s) whenever a source it was built from is
 * newer than it (the project's and its dependencies' files, and this one), so `npx cccc-dingtalk`
 * still needs no build step and never runs stale code.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENTRY = 'electron/cli/index.ts';

/** `import.meta.url` keeps naming each source file, as under tsx (files are found relative to it). */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

async function isFresh(root, bundle, manifest) {
  try {
    const { builtAt, inputs } = JSON.parse(await readFile(manifest, 'utf8'));
    await stat(bundle);
    const times = await Promise.all(inputs.map(async (f) => (await stat(join(root, f))).mtimeMs));
    return times.every((t) => t <= builtAt);
  } catch {
    return false;
  }
}

/** Writes beside the target, then renames over it: a concurrent launcher never reads half a file. */
async function replace(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, file);
}

/**
 * The bundle with every non-ASCII character written as a \u escape. esbuild escapes strings
 * but leaves regular expressions as written (e.g. /[,，]/): one such character made V8 keep the
 * whole source as two-byte text, 3.2 MB instead of 1.6 MB, for the life of the process. A
 * \uXXXX escape means the same character in strings, templates, regular expressions (with or
 * without the u flag, surrogate pairs included) and identifiers; a character already escaped
 * by a backslash (`\，`) keeps a single escape.
 */
export function asciiOnly(code) {
  return code.replace(/(\\*)([\u0080-\uffff])/g, (_, slashes, c) => {
    const kept = slashes.length % 2 === 1 ? slashes.slice(1) : slashes;
    return `${kept}\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** The path of an up-to-date bundle of the CLI under `root`/out/cli (built when needed). */
export async function cliBundle(root) {
  // Three levels below the root, like the sources: relative paths they compute stay the same.
  const dir = resolve(root, 'out', 'cli', 'bin');
  const bundle = join(dir, 'cccc-dingtalk.mjs');
  const manifest = join(dir, 'inputs.json');
  if (await isFresh(root, bundle, manifest)) return bundle;

  const builtAt = Date.now();
  const esbuild = await import('esbuild');
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: [ENTRY],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Dependencies go into the bundle too, and comments and indentation out: V8 keeps the
      // source text of every module for the life of the process (~2.5 MB less here).
      external: ['esbuild', 'tsx', 'bufferutil', 'utf-8-validate'],
      // Bundled CommonJS packages call require(), which an ES module has to be given.
      banner: { js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);" },
      minifyWhitespace: true,
      legalComments: 'none',
      plugins: [sourceUrls],
      outfile: bundle,
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    await mkdir(dir, { recursive: true });
    await replace(bundle, asciiOnly(result.outputFiles[0].text));
    // This file's settings shape the bundle too.
    const inputs = [...Object.keys(result.metafile.inputs), fileURLToPath(import.meta.url)].map((f) => relative(root, resolve(root, f)));
    await replace(manifest, JSON.stringify({ builtAt, inputs }));
  } finally {
    // esbuild's service process would otherwise live as long as the bridge.
    await esbuild.stop();
  }
  return bundle;
}
