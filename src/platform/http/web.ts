import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PROJECT_ROOT } from '../config/paths';
import type { StandalonePage } from '../module';
import type { AppContext } from './context';

const ROOT = PROJECT_ROOT;
export const WEB_DIST = path.join(ROOT, 'dist', 'web');

interface Nonces {
  script: string;
  style: string;
}

/** Adds the request's CSP nonces to every script and style tag, and exposes the style one for Mantine. */
export function withNonce(html: string, nonces: Nonces): string {
  return html
    .replace(/<script(?![^>]*\snonce=)/g, `<script nonce="${nonces.script}"`)
    .replace(/<style(?![^>]*\snonce=)/g, `<style nonce="${nonces.style}"`)
    .replace('</head>', `<meta name="csp-nonce" content="${nonces.style}"></head>`);
}

/** helmet generates fresh nonces per request and puts them in the CSP header. */
function nonceOf(reply: FastifyReply): Nonces {
  const nonces = (reply as FastifyReply & { cspNonce?: Nonces }).cspNonce;
  if (!nonces) throw new Error('CSP nonces are not enabled');
  return nonces;
}

function isPageRequest(request: FastifyRequest): boolean {
  const url = request.url.split('?')[0] ?? '/';
  return request.method === 'GET' && !url.startsWith('/api/') && !path.extname(url);
}

/**
 * The React shell: built assets from `dist/web` in production, Vite's middleware in development.
 * Every page path answers with index.html and the router in the browser takes over.
 */
export const webRoutes =
  (ctx: AppContext, standalonePages: readonly StandalonePage[] = []): FastifyPluginAsync =>
  async (app) => {
    if (ctx.config.PASSAGE_WEB_DEV) {
      const { createServer } = await import('vite');
      const middie = (await import('@fastify/middie')).default;
      const vite = await createServer({ root: ROOT, server: { middlewareMode: true }, appType: 'custom' });
      await app.register(middie);
      app.use((req, res, next) => {
        const url = req.url ?? '/';
        if (url.startsWith('/api/') || url === '/healthz' || url === '/readyz') return next();
        if (!path.extname(url.split('?')[0] ?? '') && req.method === 'GET') return next();
        vite.middlewares(req, res, next);
      });
      app.addHook('onClose', async () => vite.close());
      for (const page of standalonePages)
        app.get(page.path, { schema: { hide: true } }, async (request, reply) => {
          const template = fs.readFileSync(path.join(ROOT, page.html), 'utf8');
          const html = await vite.transformIndexHtml(request.url, template);
          return reply.type('text/html; charset=utf-8').send(withNonce(html, nonceOf(reply)));
        });
      app.get('/*', async (request, reply) => {
        if (!isPageRequest(request)) return reply.callNotFound();
        const template = fs.readFileSync(path.join(ROOT, 'index.html'), 'utf8');
        const html = await vite.transformIndexHtml(request.url, template);
        return reply.type('text/html; charset=utf-8').send(withNonce(html, nonceOf(reply)));
      });
      return;
    }

    const indexFile = path.join(WEB_DIST, 'index.html');
    if (!fs.existsSync(indexFile)) {
      ctx.logger.warn('web assets missing: run `npm run build:web` (npm start does this for you)');
      return;
    }
    const indexHtml = fs.readFileSync(indexFile, 'utf8');
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: '/',
      index: false,
      wildcard: false,
      setHeaders: (res, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`))
          res.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    });
    // Module pages outside the shell (the donate page): their own entries, the same nonce treatment.
    for (const page of standalonePages) {
      const file = path.join(WEB_DIST, page.html);
      if (!fs.existsSync(file)) {
        ctx.logger.warn({ page: page.path }, `web assets missing ${page.html}: run \`npm run build:web\``);
        continue;
      }
      const pageHtml = fs.readFileSync(file, 'utf8');
      app.get(page.path, { schema: { hide: true } }, async (_request, reply) =>
        reply
          .type('text/html; charset=utf-8')
          .header('Cache-Control', 'no-store')
          .send(withNonce(pageHtml, nonceOf(reply))),
      );
    }
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (!isPageRequest(request)) return reply.callNotFound();
      return reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send(withNonce(indexHtml, nonceOf(reply)));
    });
  };
