import { createHash, timingSafeEqual } from 'node:crypto';
import { ERROR_CODES } from '@edgewise/protocol';
import { ProblemError } from '../problem.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Returns a check for `Authorization: Bearer <token>`. Both sides are hashed first, so the comparison is
 * constant-time whatever the presented token's length.
 */
export function bearerGuard(adminToken: string): (authorization: string | undefined) => void {
  const expected = digest(adminToken);
  return (authorization) => {
    const presented = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new ProblemError(ERROR_CODES.UNAUTHORIZED, 401, 'Send the admin token as "Authorization: Bearer <token>".', {
        'www-authenticate': 'Bearer realm="edgewise"',
      });
    }
  };
}
