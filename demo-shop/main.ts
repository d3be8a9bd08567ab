import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCatalog } from './server/catalog-source.ts';
import { createShopServer } from './server/shop-server.ts';

/**
 * The demo shop: `node --import tsx demo-shop/main.ts --port 8080 --endpoint http://localhost:8787
 * [--catalog <catalog.json | BigBasket .csv(.gz)>] [--catalog-limit 2000] [--models <model folder>] [--host 127.0.0.1]`.
 * `--write-catalog <file>` writes the loaded catalog as JSON and exits, for training a model for it.
 * `npm start` runs it beside the ingestion server.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    endpoint: { type: 'string', default: 'http://localhost:8787' },
    catalog: { type: 'string' },
    'catalog-limit': { type: 'string', default: '2000' },
    models: { type: 'string' },
    'write-catalog': { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);
const catalog = loadCatalog(values.catalog, Number(values['catalog-limit']) || 2000);
if (values['write-catalog']) {
  // A merchant's catalog as the demo model's trainer reads it: `npm run train:demo -- --catalog <file> --out <dir>`.
  writeFileSync(values['write-catalog'], `${JSON.stringify(catalog, null, 1)}\n`);
  console.log(`[shop] wrote ${catalog.products.length} products to ${values['write-catalog']}`);
  process.exit(0);
}
const server = createShopServer({ catalog, endpoint: values.endpoint!, ...(values.models ? { modelsDir: values.models } : {}) });
server.listen(port, values.host, () => {
  console.log(`[shop] ${catalog.products.length} products in ${catalog.categories.length} categories at http://localhost:${port}/ (reports to ${values.endpoint})`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
