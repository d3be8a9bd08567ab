import type { FastifyPluginAsync } from 'fastify';
import { ERROR_CODES } from '@edgewise/protocol';
import { ProblemError } from '../problem.ts';
import type { Storage } from '../storage/types.ts';

/** `GET /healthz`: 200 `{ status: 'ok', storage }` when storage answers, 503 problem otherwise. */
export const healthRoutes: FastifyPluginAsync<{ storage: Storage }> = async (app, { storage }) => {
  app.get('/healthz', async (request, reply) => {
    try {
      await storage.ping();
    } catch (err) {
      request.log.error({ err }, 'storage ping failed');
      throw new ProblemError(ERROR_CODES.INTERNAL, 503, 'Storage is not answering.');
    }
    reply.header('cache-control', 'no-store');
    return { status: 'ok', storage: storage.engine };
  });
};
