import { resolve } from 'node:path';

/** One site the server accepts reports for: the origins its pages are served from. */
export interface SiteConfig {
  origins: string[];
}

/** Site key → its settings. */
export type SiteMap = Record<string, SiteConfig>;

/** Where reports are stored. */
export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** Per-IP request budget on the `/v1/` routes, a fixed window. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** Everything the process needs, validated. */
export interface ServerConfig {
  host: string;
  port: number;
  database: DatabaseConfig;
  sites: SiteMap;
  adminToken: string;
  minReports: number;
  rateLimit: RateLimit;
  /**
   * fastify's `trustProxy`: `true`, or the proxies' addresses/CIDRs (`"127.0.0.1,10.0.0.0/8"`), when behind a reverse
   * proxy, so the rate limit sees client IPs. Off by default.
   */
  trustProxy: boolean | string;
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_DB_PATH = '.data/edgewise.sqlite';
/** The demo shop's origins; only a default for development. */
export const DEFAULT_SITES: SiteMap = { 'demo-shop': { origins: ['http://localhost:8080', 'http://127.0.0.1:8080'] } };
/** Development-only admin token; refused when NODE_ENV is production. */
export const DEV_ADMIN_TOKEN = 'dev-admin-token';
/** k of k-anonymity: groups with fewer reports are never published (architecture invariant 2). */
export const DEFAULT_MIN_REPORTS = 50;
/**
 * Requests per client IP per minute on `/v1/`. A device sends about one report a day, but many shoppers can share
 * one IP behind a NAT, so the budget is generous; it only stops floods.
 */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
const RATE_WINDOW_MS = 60_000;
/** Shortest admin token accepted in production. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const SITE_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** Thrown by {@link loadConfig} with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Canonical form of an origin, or null when the string is not an http(s) origin. */
export function normalizeOrigin(value: string): string | null {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** Validates a site map (from `EDGEWISE_SITES` or code), returning it normalized or the problems found. */
export function parseSites(input: unknown, problems: string[]): SiteMap {
  const sites: SiteMap = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    problems.push('EDGEWISE_SITES must be a JSON object: {"site-key":{"origins":["https://shop.example"]}}');
    return sites;
  }
  for (const [key, value] of Object.entries(input)) {
    if (!SITE_KEY.test(key)) {
      problems.push(`EDGEWISE_SITES: site key "${key}" must be 1-64 characters of A-Z a-z 0-9 _ -`);
      continue;
    }
    const origins = (value as { origins?: unknown } | null)?.origins;
    if (!Array.isArray(origins) || origins.length === 0) {
      problems.push(`EDGEWISE_SITES.${key}.origins must be a non-empty array of origins`);
      continue;
    }
    const normalized: string[] = [];
    for (const o of origins) {
      const n = typeof o === 'string' ? normalizeOrigin(o) : null;
      if (n) normalized.push(n);
      else problems.push(`EDGEWISE_SITES.${key}.origins: ${JSON.stringify(o)} is not an origin like https://shop.example[:port]`);
    }
    sites[key] = { origins: [...new Set(normalized)] };
  }
  if (Object.keys(sites).length === 0 && problems.length === 0) problems.push('EDGEWISE_SITES must name at least one site');
  return sites;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  return n;
}

/**
 * Reads and validates the configuration from the environment. Throws {@link ConfigError} listing every problem, so
 * a misconfigured deployment fails at start with all of them at once.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ServerConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';

  const port = integer(env, 'EDGEWISE_PORT', DEFAULT_PORT, 0, 65_535, problems);
  const host = env.EDGEWISE_HOST || DEFAULT_HOST;

  let sitesInput: unknown = DEFAULT_SITES;
  if (env.EDGEWISE_SITES) {
    try {
      sitesInput = JSON.parse(env.EDGEWISE_SITES);
    } catch {
      problems.push('EDGEWISE_SITES is not valid JSON');
      sitesInput = {};
    }
  } else if (production) {
    problems.push('EDGEWISE_SITES is required when NODE_ENV=production');
  }
  const sites = parseSites(sitesInput, problems);

  let adminToken = env.EDGEWISE_ADMIN_TOKEN ?? '';
  if (!adminToken) {
    if (production) problems.push('EDGEWISE_ADMIN_TOKEN is required when NODE_ENV=production');
    else adminToken = DEV_ADMIN_TOKEN;
  } else if (production && (adminToken.length < MIN_ADMIN_TOKEN_LENGTH || adminToken === DEV_ADMIN_TOKEN)) {
    problems.push(`EDGEWISE_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters and not the development token`);
  }

  const minReports = integer(env, 'EDGEWISE_MIN_REPORTS', DEFAULT_MIN_REPORTS, 1, 1_000_000_000, problems);
  const perMinute = integer(env, 'EDGEWISE_RATE_LIMIT', DEFAULT_RATE_LIMIT_PER_MINUTE, 1, 1_000_000_000, problems);

  let database: DatabaseConfig = { kind: 'sqlite', path: resolve(cwd, env.EDGEWISE_DB || DEFAULT_DB_PATH) };
  if (env.DATABASE_URL) {
    if (/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) database = { kind: 'postgres', url: env.DATABASE_URL };
    else problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  }

  const tp = env.EDGEWISE_TRUST_PROXY;
  const trustProxy: boolean | string = !tp || tp === 'false' ? false : tp === 'true' ? true : tp;

  if (problems.length > 0) throw new ConfigError(problems);
  return { host, port, database, sites, adminToken, minReports, rateLimit: { max: perMinute, windowMs: RATE_WINDOW_MS }, trustProxy };
}
