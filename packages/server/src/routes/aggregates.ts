import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '@edgewise/protocol';
import { bearerGuard } from '../aggregates/admin-auth.ts';
import { publishAggregates } from '../aggregates/publish.ts';
import type { OriginPolicy } from '../ingest/origins.ts';
import { ProblemError } from '../problem.ts';
import type { Storage } from '../storage/types.ts';

export interface AggregateRoutesOptions {
  storage: Storage;
  origins: OriginPolicy;
  adminToken: string;
  minReports: number;
  guard: (request: FastifyRequest) => void;
}

const Params = {
  type: 'object',
  properties: { site: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
  required: ['site'],
} as const;
const Query = {
  type: 'object',
  properties: {
    period: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
    kind: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z_]+$' },
  },
  additionalProperties: false,
} as const;

/**
 * `GET /v1/sites/:site/aggregates[?period=YYYY-MM-DD][&kind=…]`: de-biased, k-anonymous histograms for the admin
 * (bearer token; 401 without). The site is looked up only after the token, so its existence is not told to strangers.
 */
export const aggregateRoutes: FastifyPluginAsync<AggregateRoutesOptions> = async (app, { storage, origins, adminToken, minReports, guard }) => {
  const authorize = bearerGuard(adminToken);
  app.addHook('onRequest', async (request) => {
    guard(request);
    authorize(request.headers.authorization);
  });

  app.get(
    '/v1/sites/:site/aggregates',
    { schema: { params: Params, querystring: Query } },
    async (request: FastifyRequest<{ Params: { site: string }; Querystring: { period?: string; kind?: string } }>, reply) => {
      const { site } = request.params;
      if (!origins.isKnownSite(site)) throw new ProblemError(ERROR_CODES.UNKNOWN_SITE, 404, `No site "${site}" is configured.`);
      const tallies = await storage.tallies(site, request.query);
      reply.header('cache-control', 'no-store');
      return publishAggregates(site, tallies, minReports);
    },
  );
};
