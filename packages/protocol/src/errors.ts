/**
 * Error codes, shared by every boundary. Inside, errors carry a code; at a boundary they are translated: the server
 * answers `application/problem+json` with `code`, the worker forwards `{ code, message }`, the SDK logs them to
 * the debug panel and degrades.
 */
export const ERROR_CODES = {
  // server
  BAD_JSON: 'EW_BAD_JSON',
  SCHEMA: 'EW_SCHEMA',
  UNKNOWN_SCHEMA_VERSION: 'EW_UNKNOWN_SCHEMA_VERSION',
  BODY_TOO_LARGE: 'EW_BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'EW_UNSUPPORTED_MEDIA_TYPE',
  UNKNOWN_SITE: 'EW_UNKNOWN_SITE',
  ORIGIN_NOT_ALLOWED: 'EW_ORIGIN_NOT_ALLOWED',
  UNAUTHORIZED: 'EW_UNAUTHORIZED',
  RATE_LIMITED: 'EW_RATE_LIMITED',
  NOT_FOUND: 'EW_NOT_FOUND',
  INTERNAL: 'EW_INTERNAL',
  // runtime
  MODEL_FETCH: 'EW_MODEL_FETCH',
  MODEL_INTEGRITY: 'EW_MODEL_INTEGRITY',
  MODEL_INVALID: 'EW_MODEL_INVALID',
  /** The site's index lists no model for the task asked for. */
  MODEL_MISSING: 'EW_MODEL_MISSING',
  BACKEND_UNAVAILABLE: 'EW_BACKEND_UNAVAILABLE',
  DEVICE_LOST: 'EW_DEVICE_LOST',
  NOT_READY: 'EW_NOT_READY',
  BAD_REQUEST: 'EW_BAD_REQUEST',
  // sdk
  STORAGE_UNAVAILABLE: 'EW_STORAGE_UNAVAILABLE',
  CONSENT_DENIED: 'EW_CONSENT_DENIED',
  INVALID_INPUT: 'EW_INVALID_INPUT',
  PRIVACY_BUDGET: 'EW_PRIVACY_BUDGET',
  SEND_FAILED: 'EW_SEND_FAILED',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** RFC 9457 problem details, as the server sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
}

/** An error as it crosses the worker boundary. */
export interface CodedError {
  code: ErrorCode;
  message: string;
}
