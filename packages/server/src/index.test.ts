import { describe, expect, it } from 'vitest';
import * as server from './index.ts';

describe('public surface', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(server).sort()).toEqual(['ConfigError', 'buildApp', 'loadConfig', 'openPostgresStorage', 'openSqliteStorage', 'openStorage']);
  });
});
