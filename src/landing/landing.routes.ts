// GET /: a small page that says what this server is and links the portal, the API reference and the health check.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineRoute } from '../http/route.ts';
import { consumerPages, escapeHtml, pageLanguageQuery } from '../notify/html.page.ts';

// swagger-ui-dist is served from node_modules (no CDN), so the page keeps the strict same-origin CSP.
const swaggerDirectory = join(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'), '..');
const swaggerAssets = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;
type SwaggerAsset = keyof typeof swaggerAssets;

/** The API reference page: Swagger UI rendering /openapi.json; its start-up script is a file, not inline. */
const referencePage = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>API reference · Rearguard</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><main id="swagger-ui"></main><script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/reference.js"></script></body></html>`;
const referenceScript = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, docExpansion: 'none' });`;

export function landingRoutes() {
  // Read once, on first use: the bundle is about a megabyte and most servers never serve it.
  const loaded = new Map<SwaggerAsset, string>();
  const assetText = (name: SwaggerAsset) => {
    let text = loaded.get(name);
    if (text === undefined) {
      text = readFileSync(join(swaggerDirectory, name), 'utf8');
      loaded.set(name, text);
    }
    return text;
  };
  const common = { method: 'GET' as const, tags: ['landing'], auth: 'none' as const };
  const asset = (name: SwaggerAsset) =>
    defineRoute({
      ...common,
      url: `/docs/${name}`,
      summary: `Swagger UI (${name}) for the API reference`,
      responses: { 200: { description: name, contentType: swaggerAssets[name].split(';')[0]! } },
      handler: async () => ({
        status: 200,
        contentType: swaggerAssets[name],
        headers: { 'cache-control': 'public, max-age=86400' },
        body: assetText(name),
      }),
    });
  return [
    defineRoute({
      ...common,
      url: '/',
      summary: 'Landing page (Dutch unless ?lang=en or the browser prefers English): portal, API reference, health',
      query: pageLanguageQuery,
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async ({ query, request }) => {
        const { page, write } = consumerPages(request, query.lang);
        const link = (href: string, key: Parameters<typeof write>[0]) =>
          `<li><a href="${href}">${escapeHtml(write(key))}</a></li>`;
        return page(
          200,
          write('landing.title'),
          `<h1>${escapeHtml(write('landing.title'))}</h1><p>${escapeHtml(write('landing.intro'))}</p>
           <ul>${link('/portal/', 'landing.portal')}${link('/docs/', 'landing.api')}${link('/healthz', 'landing.health')}</ul>`,
        );
      },
    }),
    defineRoute({
      ...common,
      url: '/docs/',
      summary: 'The API reference, rendered from /openapi.json by Swagger UI',
      responses: { 200: { description: 'HTML', contentType: 'text/html' } },
      handler: async () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: referencePage }),
    }),
    defineRoute({
      ...common,
      url: '/docs/reference.js',
      summary: "The API reference page's start-up script",
      responses: { 200: { description: 'JavaScript', contentType: 'text/javascript' } },
      handler: async () => ({ status: 200, contentType: 'text/javascript; charset=utf-8', body: referenceScript }),
    }),
    asset('swagger-ui.css'),
    asset('swagger-ui-bundle.js'),
  ];
}
