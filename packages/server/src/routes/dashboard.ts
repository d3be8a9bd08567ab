import type { FastifyPluginAsync } from 'fastify';
import { renderDashboard } from '../dashboard/render.ts';

/** `GET /dashboard`: the self-contained analyst page. It holds no data; it fetches aggregates with the admin token. */
export const dashboardRoutes: FastifyPluginAsync<{ sites: readonly string[] }> = async (app, { sites }) => {
  const page = renderDashboard(sites);
  app.get('/dashboard', async (_request, reply) => {
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', page.contentSecurityPolicy)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-cache')
      .send(page.html);
  });
};
