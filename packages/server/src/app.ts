import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { ERROR_CODES } from '@edgewise/protocol';
import { ConfigError, DEFAULT_MIN_REPORTS, DEFAULT_RATE_LIMIT_PER_MINUTE, parseSites, type RateLimit, type ServerConfig, type SiteMap } from './config.ts';
import { BATCH_MAX_BYTES } from './ingest/limits.ts';
import { OriginPolicy } from './ingest/origins.ts';
import { RateLimiter } from './ingest/rate-limit.ts';
import { Metrics } from './metrics/registry.ts';
import { installProblemHandlers, ProblemError } from './problem.ts';
import { aggregateRoutes } from './routes/aggregates.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { reportRoutes } from './routes/reports.ts';
import type { Storage } from './storage/types.ts';

/** What {@link buildApp} needs. Only `storage`, `sites` and `adminToken` are required. */
export interface AppOptions {
  /** An open store; the app owns it from here and closes it in `app.close()`. */
  storage: Storage;
  /** Site key → allowed origins. Validated and normalized like `EDGEWISE_SITES`. */
  sites: SiteMap;
  /** Bearer token for the aggregates API. */
  adminToken: string;
  /** k: groups with fewer reports are withheld. Default {@link DEFAULT_MIN_REPORTS}. */
  minReports?: number;
  /** Per-IP budget on `/v1/`. Default {@link DEFAULT_RATE_LIMIT_PER_MINUTE} a minute. */
  rateLimit?: RateLimit;
  /** fastify's `trustProxy` (see {@link ServerConfig.trustProxy}). Default false. */
  trustProxy?: boolean | string;
  /** fastify's `logger`. Default false (silent). */
  logger?: FastifyServerOptions['logger'];
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Builds the ingestion server without listening: the caller decides (`main.ts` listens, tests use `inject`).
 * Importing this module does nothing.
 */
export function buildApp(options: AppOptions): FastifyInstance {
  const problems: string[] = [];
  const sites = parseSites(options.sites, problems);
  if (!options.adminToken) problems.push('adminToken must not be empty');
  const minReports = options.minReports ?? DEFAULT_MIN_REPORTS;
  if (!Number.isInteger(minReports) || minReports < 1) problems.push('minReports must be an integer ≥ 1');
  if (problems.length > 0) throw new ConfigError(problems);

  const now = options.now ?? Date.now;
  const { storage } = options;
  const origins = new OriginPolicy(sites);
  const metrics = new Metrics();
  const limiter = new RateLimiter(options.rateLimit ?? { max: DEFAULT_RATE_LIMIT_PER_MINUTE, windowMs: 60_000 }, now);
  const rateLimit = (request: FastifyRequest) => {
    const retryAfter = limiter.take(request.ip);
    if (retryAfter > 0) {
      throw new ProblemError(ERROR_CODES.RATE_LIMITED, 429, `Too many requests from this address; retry in ${retryAfter} s.`, {
        'retry-after': String(retryAfter),
      });
    }
  };

  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: options.trustProxy ?? false,
    bodyLimit: BATCH_MAX_BYTES,
    // Reject what does not match instead of repairing it: no type coercion, no defaults, no silent removal of
    // properties a report must not carry.
    ajv: { customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false } },
  });

  installProblemHandlers(app, (request, doc) => {
    if (request.method === 'POST' && request.routeOptions.url === '/v1/reports') metrics.rejected(doc.code);
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => {
    await storage.close();
  });

  app.register(reportRoutes, { storage, origins, metrics, guard: rateLimit, now });
  app.register(aggregateRoutes, { storage, origins, adminToken: options.adminToken, minReports, guard: rateLimit });
  app.register(healthRoutes, { storage });
  app.register(metricsRoutes, { metrics });
  app.register(dashboardRoutes, { sites: origins.sites() });
  return app;
}
