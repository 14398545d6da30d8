/**
 * Serves the built web console (`npm run build:web`): the page shell at `/` and its hashed assets
 * under `/assets/`. Both are public (they hold no data; the console reads everything through the
 * API with the caller's session) and carry a strict Content Security Policy.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * Only the console's own scripts, styles and the API on the same origin; no framing, no plugins,
 * no inline script. Inline `style` attributes are not needed: React and the chart library set
 * styles through the CSSOM, which `style-src` does not govern.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Where the built console is: `PALISADE_CONSOLE_DIR`, else `dist/console` beside the compiled
 * server (`dist/server/../console`) or, when running from `src/` with tsx, in the repository's
 * `dist/console`.
 */
export function consoleDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PALISADE_CONSOLE_DIR) return env.PALISADE_CONSOLE_DIR;
  const beside = fileURLToPath(new URL('../console/', import.meta.url));
  if (existsSync(join(beside, 'index.html'))) return beside;
  return fileURLToPath(new URL('../../dist/console/', import.meta.url));
}

interface Asset {
  body: Buffer;
  type: string;
}

/** Every file under `assets/`, read once: the console is small and its names are hashed. */
function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const folder = join(dir, 'assets');
  if (!existsSync(folder)) return assets;
  for (const name of readdirSync(folder)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(join(folder, name)), type });
  }
  return assets;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin');
}

/**
 * Registers the console's routes when a built console exists in `dir`; without one the server is
 * API-only and says so in its log.
 */
export async function consolePlugin(
  app: FastifyInstance,
  options: { dir?: string } = {},
): Promise<void> {
  const dir = options.dir ?? consoleDirectory();
  const indexPath = join(dir, 'index.html');
  if (!existsSync(indexPath)) {
    app.log.info({ dir }, 'web console not built; serving the API only');
    return;
  }
  const index = readFileSync(indexPath);
  const assets = readAssets(dir);
  // Public on purpose: the login page must load before anyone has a session.
  const routeOptions = { config: { public: true }, schema: { hide: true } };

  app.get('/', routeOptions, async (_request, reply) =>
    securityHeaders(reply)
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(index),
  );

  app.get<{ Params: { name: string } }>('/assets/:name', routeOptions, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) {
      return securityHeaders(reply).code(404).send({
        statusCode: 404,
        code: 'NOT_FOUND',
        error: 'Not Found',
        message: 'no such console asset',
      });
    }
    return securityHeaders(reply)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(asset.type)
      .send(asset.body);
  });
}
