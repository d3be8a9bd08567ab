import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from '../app.ts';
import { openSqliteStorage } from '../storage/sqlite.ts';
import type { Storage } from '../storage/types.ts';

export const SHOP_ORIGIN = 'http://localhost:8080';
export const OTHER_ORIGIN = 'https://other-shop.example';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const TEST_SITES = {
  'demo-shop': { origins: [SHOP_ORIGIN, 'http://127.0.0.1:8080'] },
  'other-shop': { origins: [OTHER_ORIGIN] },
};

export interface TestApp {
  app: FastifyInstance;
  storage: Storage;
  close(): Promise<void>;
}

/** The real app over a fresh SQLite file in a temp folder. */
export async function testApp(overrides: Partial<AppOptions> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-app-'));
  const storage = overrides.storage ?? (await openSqliteStorage(join(dir, 'edgewise.sqlite')));
  const app = buildApp({ storage, sites: TEST_SITES, adminToken: ADMIN_TOKEN, minReports: 3, ...overrides });
  await app.ready();
  return {
    app,
    storage,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
