// The ingestion server process: reads the environment, opens storage, listens, and shuts down cleanly.
// `node --import tsx packages/server/src/main.ts`
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openStorage } from './storage/index.ts';

/** How long a shutdown waits for in-flight requests before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

let config;
try {
  config = loadConfig();
} catch (err) {
  console.error(err instanceof ConfigError ? `[edgewise] ${err.message}` : err);
  process.exit(1);
}

const storage = await openStorage(config.database).catch((err: unknown) => {
  console.error(`[edgewise] cannot open storage: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
const app = buildApp({
  storage,
  sites: config.sites,
  adminToken: config.adminToken,
  minReports: config.minReports,
  rateLimit: config.rateLimit,
  trustProxy: config.trustProxy,
  logger: { level: process.env.LOG_LEVEL ?? 'info' },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  setTimeout(() => {
    app.log.error('shutdown grace period over; exiting');
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  try {
    await app.close(); // stops accepting, finishes in-flight requests, closes storage
    process.exit(0);
  } catch (err) {
    app.log.error({ err }, 'shutdown failed');
    process.exit(1);
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  app.log.error({ err }, 'could not listen');
  await app.close().catch(() => {});
  process.exit(1);
}
const address = app.server.address();
const port = typeof address === 'object' && address ? address.port : config.port;
const where = config.database.kind === 'sqlite' ? config.database.path : 'PostgreSQL (DATABASE_URL)';
console.log(`[edgewise] ingestion server listening on http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}  (storage: ${where}; dashboard: /dashboard)`);
