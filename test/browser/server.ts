// A static server on 127.0.0.1 for the Chromium test: the repository's dist/ (with dist/wasm/) and
// test/browser/ files, plus /digits.bin. Pages asked for with ?coi=1 get the COOP/COEP headers
// that make them cross-origin isolated (SharedArrayBuffer, hence wasm threads).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVED = ['dist/', 'test/browser/'];
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json',
};

export async function serve(digits: Uint8Array): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (url.searchParams.get('coi') === '1') {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (url.pathname === '/digits.bin') {
      response.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(digits);
      return;
    }
    const path = normalize(url.pathname).replace(/^\/+/, '');
    if (!SERVED.some((prefix) => path.startsWith(prefix))) {
      response.writeHead(404, headers).end();
      return;
    }
    readFile(join(ROOT, path)).then(
      (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404, headers).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
