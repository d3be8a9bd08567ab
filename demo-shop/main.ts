import { parseArgs } from 'node:util';
import { loadCatalog } from './server/catalog-source.ts';
import { createShopServer } from './server/shop-server.ts';

/**
 * The demo shop: `node --import tsx demo-shop/main.ts --port 8080 --endpoint http://localhost:8787
 * [--catalog <catalog.json | BigBasket .csv(.gz)>] [--catalog-limit 2000] [--host 127.0.0.1]`.
 * `npm start` runs it beside the ingestion server.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    endpoint: { type: 'string', default: 'http://localhost:8787' },
    catalog: { type: 'string' },
    'catalog-limit': { type: 'string', default: '2000' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: not a port: ${values.port}`);
const catalog = loadCatalog(values.catalog, Number(values['catalog-limit']) || 2000);
const server = createShopServer({ catalog, endpoint: values.endpoint! });
server.listen(port, values.host, () => {
  console.log(`[shop] ${catalog.products.length} products in ${catalog.categories.length} categories at http://localhost:${port}/ (reports to ${values.endpoint})`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
