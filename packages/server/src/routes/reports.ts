import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type IngestResponse, type Report, type ReportBatch } from '@edgewise/protocol';
import { useReportBodyParser } from '../ingest/body.ts';
import { PREFLIGHT_MAX_AGE_S } from '../ingest/limits.ts';
import type { OriginPolicy } from '../ingest/origins.ts';
import { checkSemantics, precheck, ReportBody } from '../ingest/validate.ts';
import type { Metrics } from '../metrics/registry.ts';
import { ProblemError } from '../problem.ts';
import type { Storage, StoredReport } from '../storage/types.ts';

export interface ReportRoutesOptions {
  storage: Storage;
  origins: OriginPolicy;
  metrics: Metrics;
  /** Runs first on every request of these routes (the rate limit). */
  guard: (request: FastifyRequest) => void;
  now: () => number;
}

function toStored(r: Report, receivedAt: number): StoredReport {
  return { reportId: r.reportId, site: r.site, kind: r.kind, period: r.period, epsilon: r.mechanism.epsilon, buckets: r.buckets, bits: r.bits, receivedAt };
}

/**
 * `POST /v1/reports` and its CORS preflight. Checks, in order: rate limit (429), the `Origin` is one some site
 * lists (403, before the body is read), media type (415), size (413), JSON (400), schema version (400), schema
 * (400), the report's site is known (403) and lists the origin (403), semantics (422). A body is stored whole or
 * not at all; only then is it acknowledged with 202.
 */
export const reportRoutes: FastifyPluginAsync<ReportRoutesOptions> = async (app, { storage, origins, metrics, guard, now }) => {
  useReportBodyParser(app);

  // CORS headers go on every answer to an allowed origin, errors included, so the SDK can read the problem.
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    reply.header('vary', 'Origin');
    if (origins.allowsAnySite(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('access-control-expose-headers', 'Retry-After');
    }
    guard(request);
  });

  app.options('/v1/reports', async (request, reply) => {
    if (!origins.allowsAnySite(request.headers.origin)) {
      throw new ProblemError(ERROR_CODES.ORIGIN_NOT_ALLOWED, 403, 'This origin may not send reports here.');
    }
    const method = request.headers['access-control-request-method'];
    if (method !== 'POST') {
      throw new ProblemError(ERROR_CODES.BAD_REQUEST, 400, `Only POST is allowed on /v1/reports, not ${method ?? 'a request without Access-Control-Request-Method'}.`);
    }
    return reply
      .code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'Content-Type')
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_S))
      .send();
  });

  app.post(
    '/v1/reports',
    {
      schema: { body: ReportBody },
      onRequest: async (request) => {
        if (!origins.allowsAnySite(request.headers.origin)) {
          const detail = request.headers.origin
            ? `Origin ${request.headers.origin} is not allowed for any site.`
            : 'Reports must come from a browser page: the Origin header is missing.';
          throw new ProblemError(ERROR_CODES.ORIGIN_NOT_ALLOWED, 403, detail);
        }
      },
      preValidation: async (request) => precheck(request.body, request.bodyBytes),
    },
    async (request: FastifyRequest<{ Body: Report | ReportBatch }>, reply: FastifyReply) => {
      const origin = request.headers.origin as string;
      const batch = 'reports' in request.body;
      const reports = 'reports' in request.body ? request.body.reports : [request.body];
      reports.forEach((r, i) => {
        const where = batch ? `reports/${i}: ` : '';
        if (!origins.isKnownSite(r.site)) throw new ProblemError(ERROR_CODES.UNKNOWN_SITE, 403, `${where}site "${r.site}" is not served here.`);
        if (!origins.allows(r.site, origin)) throw new ProblemError(ERROR_CODES.ORIGIN_NOT_ALLOWED, 403, `${where}origin ${origin} is not allowed for site "${r.site}".`);
      });
      checkSemantics(reports, batch);
      const receivedAt = now();
      const result = await storage.insert(reports.map((r) => toStored(r, receivedAt)));
      metrics.reportsAccepted += result.accepted;
      metrics.reportsDuplicate += result.duplicates;
      const body: IngestResponse = { accepted: result.accepted, duplicates: result.duplicates };
      return reply.code(202).send(body);
    },
  );
};
