import type { CodedError, ErrorCode } from '@edgewise/protocol';

/**
 * An error inside the worker, carrying the protocol code it will cross the boundary with. Only the code and a
 * short message ever leave the worker (comlink would otherwise ship a stack, and drop `code` from an Error).
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Longest message sent over the boundary; the page logs it, it must stay small. */
export const MAX_ERROR_MESSAGE_CHARS = 300;

/** Translates anything thrown inside the worker into the `{ code, message }` the page receives. */
export function toCodedError(error: unknown, fallback: ErrorCode = 'EW_INTERNAL'): CodedError {
  // Structural, not instanceof: errors thrown in the separately bundled tfjs part are another RuntimeError class.
  const own = (error as { code?: unknown } | null)?.code;
  const code = typeof own === 'string' && own.startsWith('EW_') ? (own as ErrorCode) : fallback;
  let message: string;
  try {
    message = error instanceof Error ? error.message : String(error);
  } catch {
    message = 'unprintable error';
  }
  return { code, message: message.slice(0, MAX_ERROR_MESSAGE_CHARS) };
}
