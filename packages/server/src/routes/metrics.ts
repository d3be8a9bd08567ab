import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics/registry.ts';

/** `GET /metrics`: Prometheus text exposition. */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', async (_request, reply) => {
    reply.header('cache-control', 'no-store').type('text/plain; version=0.0.4; charset=utf-8');
    return metrics.render();
  });
};
