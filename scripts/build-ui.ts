// Builds ui/ into dist/ui: one hashed JS bundle (esbuild), index.html with its styles inline,
// and the files in ui/public copied as they are. Prints the gzipped size of what a phone loads.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const outDir = 'dist/ui';
mkdirSync(join(outDir, 'assets'), { recursive: true });
const result = await build({
  entryPoints: ['ui/src/main.tsx'],
  bundle: true,
  minify: true,
  format: 'esm',
  // The history page's chart library in its own chunk, fetched when that page first opens.
  splitting: true,
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(outDir, 'assets'),
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs);
const entry = outputs.find((file) => result.metafile.outputs[file]!.entryPoint === 'ui/src/main.tsx')!;
// What the entry imports at once: fetched beside it, not after it has been read.
const preloads = result.metafile.outputs[entry]!.imports.filter((i) => i.kind === 'import-statement').map(
  (i) => `<link rel="modulepreload" href="/assets/${basename(i.path)}" />`,
);
const html = readFileSync('ui/index.html', 'utf8')
  // All styles inline (the history chunk's too: esbuild does not load a lazy chunk's CSS): one round
  // trip fewer before the first paint on a slow link.
  .replace('<!-- styles -->', () =>
    outputs
      .filter((file) => file.endsWith('.css'))
      .map((file) => `<style>${readFileSync(file, 'utf8')}</style>`)
      .join(''),
  )
  .replace(
    '<!-- scripts -->',
    [...preloads, `<script type="module" src="/assets/${basename(entry)}"></script>`].join('\n    '),
  );
writeFileSync(join(outDir, 'index.html'), html);
cpSync('ui/public', outDir, { recursive: true });
// The offline app shell: a service worker that knows this build's files (a new build, a new cache).
// `/index.html`, not `/`: the hub serves `/` to a signed-in page with that user's state inlined.
const shell = [
  '/index.html',
  ...outputs.map((file) => `/assets/${basename(file)}`),
  '/icon.svg',
  '/manifest.webmanifest',
];
const version = createHash('sha256').update(shell.join()).digest('hex').slice(0, 12);
writeFileSync(
  join(outDir, 'sw.js'),
  readFileSync('ui/sw.js', 'utf8')
    .replace("'__VERSION__'", JSON.stringify(version))
    .replace("'__SHELL__'", JSON.stringify(shell)),
);
const gzipBytes = outputs.reduce((sum, file) => sum + gzipSync(readFileSync(file)).length, 0);
console.log(`ui: ${outputs.length} assets, ${(gzipBytes / 1024).toFixed(1)} KiB gzipped`);
