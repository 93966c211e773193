// Builds ui/ into dist/ui: one hashed JS and CSS bundle (esbuild), index.html pointing at them,
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
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  outdir: join(outDir, 'assets'),
  metafile: true,
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs);
const tags = (ext: string, tag: (href: string) => string) =>
  outputs
    .filter((file) => file.endsWith(ext))
    .map((file) => tag(`/assets/${basename(file)}`))
    .join('\n    ');
const html = readFileSync('ui/index.html', 'utf8')
  .replace(
    '<!-- styles -->',
    tags('.css', (href) => `<link rel="stylesheet" href="${href}" />`),
  )
  .replace(
    '<!-- scripts -->',
    tags('.js', (href) => `<script type="module" src="${href}"></script>`),
  );
writeFileSync(join(outDir, 'index.html'), html);
cpSync('ui/public', outDir, { recursive: true });
// The offline app shell: a service worker that knows this build's files (a new build, a new cache).
const shell = [
  '/',
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
