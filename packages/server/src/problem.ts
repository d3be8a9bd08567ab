import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, type Problem } from '@edgewise/protocol';

/** Media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Partial<Record<ErrorCode, string>> = {
  [ERROR_CODES.BAD_JSON]: 'Malformed JSON',
  [ERROR_CODES.SCHEMA]: 'Report does not match the schema',
  [ERROR_CODES.UNKNOWN_SCHEMA_VERSION]: 'Unknown report schema version',
  [ERROR_CODES.BODY_TOO_LARGE]: 'Body too large',
  [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported media type',
  [ERROR_CODES.UNKNOWN_SITE]: 'Unknown site',
  [ERROR_CODES.ORIGIN_NOT_ALLOWED]: 'Origin not allowed',
  [ERROR_CODES.UNAUTHORIZED]: 'Unauthorized',
  [ERROR_CODES.RATE_LIMITED]: 'Too many requests',
  [ERROR_CODES.NOT_FOUND]: 'Not found',
  [ERROR_CODES.INTERNAL]: 'Internal error',
  [ERROR_CODES.BAD_REQUEST]: 'Bad request',
};

/**
 * An error that knows its HTTP answer. Everything inside the server throws these (or lets fastify throw its own,
 * which {@link toProblem} translates); the one error handler turns them into `application/problem+json`.
 */
export class ProblemError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  /** Extra response headers, e.g. `retry-after` or `www-authenticate`. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, statusCode: number, detail: string, headers: Record<string, string> = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.code = code;
    this.statusCode = statusCode;
    this.headers = headers;
  }
}

/** Builds the problem document for a code. `type` is a stable URN per code, so clients can switch on it. */
export function problem(code: ErrorCode, status: number, detail?: string): Problem {
  const doc: Problem = { type: `urn:edgewise:problem:${code}`, title: TITLES[code] ?? 'Error', status, code };
  if (detail) doc.detail = detail;
  return doc;
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** The most specific validation message: branch summaries ("must match a schema in anyOf") say nothing useful. */
function describeValidation(errors: AjvError[], context: string): string {
  const specific = errors.filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword ?? ''));
  const e = specific[0] ?? errors[0];
  if (!e) return `${context} is invalid`;
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties' && typeof e.params?.additionalProperty === 'string') {
    message = `must not have property '${e.params.additionalProperty}'`;
  } else if (e.keyword === 'const') {
    // A union of literals fails once per literal: list them together.
    const allowed = specific.filter((o) => o.keyword === 'const' && o.instancePath === e.instancePath).map((o) => JSON.stringify(o.params?.allowedValue));
    message = `must be ${allowed.join(' or ')}`;
  }
  return `${context}${e.instancePath ?? ''} ${message}`;
}

// fastify's own error codes that reach the handler from bad input, mapped to ours.
const FASTIFY_CODES: Record<string, [ErrorCode, number, string?]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, 415, 'Send JSON as application/json, or as text/plain (navigator.sendBeacon).'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [ERROR_CODES.BAD_JSON, 400],
  FST_ERR_CTP_BODY_TOO_LARGE: [ERROR_CODES.BODY_TOO_LARGE, 413],
  FST_ERR_CTP_EMPTY_JSON_BODY: [ERROR_CODES.BAD_JSON, 400],
  FST_ERR_CTP_INVALID_JSON_BODY: [ERROR_CODES.BAD_JSON, 400],
};

const STATUS_CODES: Record<number, ErrorCode> = {
  401: ERROR_CODES.UNAUTHORIZED,
  404: ERROR_CODES.NOT_FOUND,
  413: ERROR_CODES.BODY_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  429: ERROR_CODES.RATE_LIMITED,
};

/** Translates any error into a problem document plus extra headers. Never exposes a stack or an internal message. */
export function toProblem(error: FastifyError | ProblemError | Error): { problem: Problem; headers: Record<string, string> } {
  if (error instanceof ProblemError) {
    return { problem: problem(error.code, error.statusCode, error.message), headers: error.headers };
  }
  const fe = error as FastifyError;
  if (fe.validation) {
    return { problem: problem(ERROR_CODES.SCHEMA, 400, describeValidation(fe.validation, fe.validationContext ?? 'body')), headers: {} };
  }
  const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (mapped) return { problem: problem(mapped[0], mapped[1], mapped[2] ?? fe.message), headers: {} };
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    // Some other client error from fastify (e.g. a malformed URL); its message is written for clients.
    return { problem: problem(STATUS_CODES[status] ?? ERROR_CODES.BAD_REQUEST, status, fe.message), headers: {} };
  }
  return { problem: problem(ERROR_CODES.INTERNAL, 500, 'The server could not handle this request.'), headers: {} };
}

/** Sends a problem answer, keeping headers set earlier (CORS) on the reply. */
export function sendProblem(reply: FastifyReply, doc: Problem, headers: Record<string, string> = {}): FastifyReply {
  return reply.code(doc.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(doc));
}

/** Something that wants to know every problem answered (metrics). */
export type ProblemListener = (request: FastifyRequest, doc: Problem) => void;

/**
 * Installs the one error handler and the not-found handler on the root instance: every error path of the server
 * ends here.
 */
export function installProblemHandlers(app: FastifyInstance, onProblem: ProblemListener = () => {}): void {
  app.setErrorHandler((error, request, reply) => {
    const { problem: doc, headers } = toProblem(error as FastifyError);
    if (doc.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: doc.code, status: doc.status }, 'request refused');
    onProblem(request, doc);
    return sendProblem(reply, doc, headers);
  });
  app.setNotFoundHandler((request, reply) => {
    const doc = problem(ERROR_CODES.NOT_FOUND, 404, `No route for ${request.method} ${request.url.split('?')[0]}`);
    onProblem(request, doc);
    return sendProblem(reply, doc);
  });
}
