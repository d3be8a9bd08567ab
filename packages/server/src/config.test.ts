import { describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { ConfigError, DEFAULT_SITES, DEV_ADMIN_TOKEN, loadConfig } from './config.ts';
import { openSqliteStorage } from './storage/sqlite.ts';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    loadConfig(env, '/srv');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  return [];
};

describe('loadConfig', () => {
  it('has development defaults', () => {
    expect(loadConfig({}, '/srv')).toEqual({
      host: '127.0.0.1',
      port: 8787,
      database: { kind: 'sqlite', path: '/srv/.data/edgewise.sqlite' },
      sites: DEFAULT_SITES,
      adminToken: DEV_ADMIN_TOKEN,
      minReports: 50,
      rateLimit: { max: 600, windowMs: 60_000 },
      trustProxy: false,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        EDGEWISE_PORT: '9000',
        EDGEWISE_HOST: '0.0.0.0',
        EDGEWISE_DB: 'var/e.sqlite',
        EDGEWISE_SITES: '{"shop-1":{"origins":["https://Shop.Example/","http://localhost:3000"]}}',
        EDGEWISE_ADMIN_TOKEN: 'a-long-enough-secret-token',
        EDGEWISE_MIN_REPORTS: '1',
        EDGEWISE_RATE_LIMIT: '30',
        EDGEWISE_TRUST_PROXY: '10.0.0.0/8',
        NODE_ENV: 'production',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      database: { kind: 'sqlite', path: '/srv/var/e.sqlite' },
      sites: { 'shop-1': { origins: ['https://shop.example', 'http://localhost:3000'] } },
      adminToken: 'a-long-enough-secret-token',
      minReports: 1,
      rateLimit: { max: 30 },
      trustProxy: '10.0.0.0/8',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://u@db/edgewise' }).database).toEqual({ kind: 'postgres', url: 'postgres://u@db/edgewise' });
  });

  it('requires a real admin token and explicit sites in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.join('\n')).toMatch(/EDGEWISE_ADMIN_TOKEN is required/);
    expect(problems.join('\n')).toMatch(/EDGEWISE_SITES is required/);
    expect(problemsOf({ NODE_ENV: 'production', EDGEWISE_SITES: '{"a":{"origins":["https://a.example"]}}', EDGEWISE_ADMIN_TOKEN: DEV_ADMIN_TOKEN }).join()).toMatch(/not the development token/);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      EDGEWISE_PORT: 'eighty',
      EDGEWISE_MIN_REPORTS: '0',
      EDGEWISE_RATE_LIMIT: '-1',
      EDGEWISE_SITES: '{"bad key!":{"origins":["x"]},"ok":{"origins":["https://ok.example/path","ftp://ok.example"]},"empty":{}}',
      DATABASE_URL: 'mysql://x',
    });
    expect(problems).toHaveLength(8);
    expect(problems.join('\n')).toMatch(/EDGEWISE_PORT/);
    expect(problems.join('\n')).toMatch(/"bad key!"/);
    expect(problems.join('\n')).toMatch(/https:\/\/ok\.example\/path/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL/);
    expect(problemsOf({ EDGEWISE_SITES: '{not json' })).toEqual(['EDGEWISE_SITES is not valid JSON']);
  });
});

describe('buildApp', () => {
  it('validates its options like the environment', async () => {
    const storage = await openSqliteStorage(':memory:');
    expect(() => buildApp({ storage, sites: { x: { origins: ['not an origin'] } }, adminToken: 't' })).toThrow(ConfigError);
    expect(() => buildApp({ storage, sites: DEFAULT_SITES, adminToken: '' })).toThrow(/adminToken/);
    expect(() => buildApp({ storage, sites: DEFAULT_SITES, adminToken: 't', minReports: 0 })).toThrow(/minReports/);
    await storage.close();
  });
});
