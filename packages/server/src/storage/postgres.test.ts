import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
import { storageContract } from './contract.suite.ts';
import { openPostgresStorage } from './postgres.ts';

// Runs only where a PostgreSQL is reachable: DATABASE_URL=postgres://… npx vitest run packages/server
const url = process.env.DATABASE_URL;

if (url) {
  storageContract('PostgreSQL', async () => {
    const schema = `ew_test_${randomBytes(6).toString('hex')}`;
    return {
      open: () => openPostgresStorage(url, { schema }),
      cleanup: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      },
    };
  });
} else {
  describe('Storage contract: PostgreSQL', () => {
    it.skip('needs DATABASE_URL=postgres://… (skipped)', () => {});
  });
}
