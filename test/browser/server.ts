// Static servers on 127.0.0.1 for the Chromium tests. serve(): the repository's dist/ (with
// dist/wasm/) and test/browser/ files, plus /digits.bin; pages asked for with ?coi=1 get the
// COOP/COEP headers that make them cross-origin isolated (SharedArrayBuffer, hence wasm threads).
// serveStatic(): one folder (a built app), every response with those headers or none.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVED = ['dist/', 'test/browser/'];
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json',
  '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml', '.gz': 'application/gzip',
};
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export interface Served { origin: string; close: () => Promise<void> }

type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

async function listen(handler: Handler): Promise<Served> {
  const server: Server = createServer((request, response) => handler(request, response, new URL(request.url ?? '/', 'http://127.0.0.1')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** `path` (relative, already checked to stay inside `root`) from `root`, or 404. */
function sendFile(response: ServerResponse, root: string, path: string, headers: Record<string, string>): void {
  readFile(join(root, path)).then(
    (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
    () => response.writeHead(404, headers).end(),
  );
}

/** A request path inside the served folder, or undefined for one that climbs out of it. */
function relativePath(url: URL): string | undefined {
  const path = normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
  return path.startsWith('..') ? undefined : path;
}

export function serve(digits: Uint8Array): Promise<Served> {
  return listen((_request, response, url) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(url.searchParams.get('coi') === '1' ? ISOLATION_HEADERS : {}) };
    if (url.pathname === '/digits.bin') {
      response.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' }).end(digits);
      return;
    }
    const path = relativePath(url);
    if (path === undefined || !SERVED.some((prefix) => path.startsWith(prefix))) {
      response.writeHead(404, headers).end();
      return;
    }
    sendFile(response, ROOT, path, headers);
  });
}

export function serveStatic(root: string, options: { isolated: boolean }): Promise<Served> {
  return listen((_request, response, url) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(options.isolated ? ISOLATION_HEADERS : {}) };
    const path = relativePath(url);
    if (path === undefined) {
      response.writeHead(404, headers).end();
      return;
    }
    sendFile(response, root, path === '' || path.endsWith('/') ? `${path}index.html` : path, headers);
  });
}
