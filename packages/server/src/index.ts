/**
 * `@edgewise/server` for programmatic use (tests, embedding): build the app, open storage, read configuration.
 * The process entry is `main.ts`; importing this module starts nothing.
 *
 * ```ts
 * const storage = await openStorage({ kind: 'sqlite', path: '.data/edgewise.sqlite' });
 * const app = buildApp({ storage, sites: { 'demo-shop': { origins: ['http://localhost:8080'] } }, adminToken: 't' });
 * await app.listen({ port: 8787 });
 * ```
 */
export { buildApp } from './app.ts';
export type { AppOptions } from './app.ts';
export { loadConfig, ConfigError } from './config.ts';
export type { ServerConfig, SiteMap, SiteConfig, DatabaseConfig, RateLimit } from './config.ts';
export { openStorage, openSqliteStorage, openPostgresStorage } from './storage/index.ts';
export type { Storage, StoredReport, InsertResult, Tally, TallyFilter } from './storage/index.ts';
