import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { storageContract } from './contract.suite.ts';
import { SCHEMA_VERSION } from './migrations.ts';
import { openSqliteStorage } from './sqlite.ts';

storageContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edgewise-sqlite-'));
  const path = join(dir, 'nested', 'edgewise.sqlite');
  return { open: () => openSqliteStorage(path), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

describe('SQLite specifics', () => {
  it('runs in WAL mode with synchronous=FULL and records its schema version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgewise-sqlite-'));
    const path = join(dir, 'e.sqlite');
    const storage = await openSqliteStorage(path);
    await storage.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT MAX(version) AS v FROM ew_schema_migrations').get()).toEqual({ v: SCHEMA_VERSION });
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a database written by a newer server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgewise-sqlite-'));
    const path = join(dir, 'e.sqlite');
    await (await openSqliteStorage(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO ew_schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, Date.now());
    db.close();
    await expect(openSqliteStorage(path)).rejects.toThrow(/newer than this server/);
    rmSync(dir, { recursive: true, force: true });
  });
});
