import type { FastifyInstance } from 'fastify';
import { ERROR_CODES } from '@edgewise/protocol';
import { ProblemError } from '../problem.ts';
import { BATCH_MAX_BYTES } from './limits.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Size of the request body in bytes, as parsed. */
    bodyBytes: number;
  }
}

/**
 * Body parsing for the report routes, scoped to the plugin that calls it: JSON only, sent either as
 * `application/json` (fetch) or `text/plain` (navigator.sendBeacon with a string, which cannot set another type
 * without a preflight). Anything else is 415. Bodies over {@link BATCH_MAX_BYTES} are 413 before they are read in
 * full. `__proto__` and `constructor.prototype` keys are refused as malformed.
 */
export function useReportBodyParser(instance: FastifyInstance): void {
  instance.decorateRequest('bodyBytes', 0);
  const parseJson = instance.getDefaultJsonParser('error', 'error');
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    ['application/json', 'text/plain'],
    { parseAs: 'string', bodyLimit: BATCH_MAX_BYTES },
    (request, body, done) => {
      const text = body as string;
      request.bodyBytes = Buffer.byteLength(text);
      if (text.trim() === '') {
        done(new ProblemError(ERROR_CODES.BAD_JSON, 400, 'The body is empty; send a report or {"reports": [...]} as JSON.'), undefined);
        return;
      }
      parseJson(request, text, (err, value) => {
        if (err) done(new ProblemError(ERROR_CODES.BAD_JSON, 400, 'The body is not valid JSON.'), undefined);
        else done(null, value);
      });
    },
  );
}
