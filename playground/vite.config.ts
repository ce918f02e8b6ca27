// The playground's build: four pages, mlpx from the package (`import … from 'mlpx'`, resolved
// through node_modules like any app's dependency), charts from uPlot. Two things mlpx needs:
// the cross-origin isolation headers on the dev and preview servers (worker threads), and
// module workers (`worker.format: 'es'`: mlpx loads its wasm backend with a dynamic import).
// The digits set comes from the installed package (dist/data/digits.br): brotli, which browsers
// cannot decompress from script, so it is served gzip-compressed as data/digits.gz instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { brotliDecompressSync, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import { pageFrame } from './page-frame.js';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
const DIGITS_ASSET = 'data/digits.gz';
const PAGES = ['index', 'classify', 'digits', 'optimise'];

/** The shipped digits set, decompressed and gzipped (computed once per server or build). */
function digitsGzip(): Buffer {
  const packageJson = createRequire(import.meta.url).resolve('mlpx/package.json');
  const file = path.join(path.dirname(packageJson), 'dist/data/digits.br');
  return gzipSync(brotliDecompressSync(readFileSync(file)), { level: 9 });
}

function digitsAsset(): Plugin {
  let bytes: Buffer | undefined;
  const get = () => (bytes ??= digitsGzip());
  return {
    name: 'mlpx-digits-asset',
    configureServer(server) {
      server.middlewares.use(`/${DIGITS_ASSET}`, (_request, response) => {
        response.setHeader('Content-Type', 'application/gzip');
        response.end(get());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: DIGITS_ASSET, source: get() });
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  // relative asset URLs: the built site works from any folder of a static host
  base: './',
  plugins: [pageFrame(), digitsAsset()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: { input: Object.fromEntries(PAGES.map((page) => [page, path.resolve(import.meta.dirname, `${page}.html`)])) },
  },
});
