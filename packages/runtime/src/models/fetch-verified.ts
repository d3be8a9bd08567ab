import type { ManifestFile } from '@edgewise/protocol';
import { RuntimeError } from '../errors.ts';
import { FETCH_RETRIES, FETCH_TIMEOUT_MS, MODEL_FILE_MAX_BYTES } from '../flags.ts';

/** The subset of `fetch` the loader uses; tests pass their own. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** Hex SHA-256 of `bytes` through SubtleCrypto (workers on https and localhost have it). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new RuntimeError('EW_MODEL_INTEGRITY', 'SubtleCrypto is unavailable (insecure context): model files cannot be verified');
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

async function get(fetchFn: FetchLike, url: string, reload: boolean, maxBytes: number): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetchFn(url, { credentials: 'same-origin', cache: reload ? 'reload' : 'default', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    throw new RuntimeError('EW_MODEL_FETCH', `${url}: ${(e as Error)?.message ?? 'network error'}`);
  }
  if (!res.ok) throw new RuntimeError('EW_MODEL_FETCH', `${url}: HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new RuntimeError('EW_MODEL_INVALID', `${url}: ${declared} bytes is over the ${maxBytes}-byte limit`);
  let body: ArrayBuffer;
  try {
    body = await res.arrayBuffer();
  } catch (e) {
    throw new RuntimeError('EW_MODEL_FETCH', `${url}: body: ${(e as Error)?.message ?? 'read error'}`);
  }
  if (body.byteLength > maxBytes) throw new RuntimeError('EW_MODEL_INVALID', `${url}: ${body.byteLength} bytes is over the ${maxBytes}-byte limit`);
  return body;
}

/** Fetches a small JSON document (index or manifest) and parses it; no digest exists for these. */
export async function fetchJson(fetchFn: FetchLike, url: string, maxBytes: number): Promise<unknown> {
  const body = await get(fetchFn, url, false, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new RuntimeError('EW_MODEL_INVALID', `${url}: not JSON`);
  }
}

/**
 * Fetches one model file and returns its bytes only once their length and SHA-256 match the manifest. A mismatch
 * (a partial download, a stale cache entry) is fetched once more bypassing the HTTP cache; a second mismatch is
 * refused with EW_MODEL_INTEGRITY.
 */
export async function fetchVerified(fetchFn: FetchLike, url: string, expected: ManifestFile): Promise<ArrayBuffer> {
  if (expected.bytes > MODEL_FILE_MAX_BYTES) {
    throw new RuntimeError('EW_MODEL_INVALID', `${expected.path}: ${expected.bytes} bytes is over the ${MODEL_FILE_MAX_BYTES}-byte limit`);
  }
  let problem = '';
  for (let attempt = 0; attempt <= FETCH_RETRIES; attempt++) {
    const body = await get(fetchFn, url, attempt > 0, MODEL_FILE_MAX_BYTES);
    if (body.byteLength !== expected.bytes) {
      problem = `${expected.path}: ${body.byteLength} bytes, manifest says ${expected.bytes}`;
      continue;
    }
    const digest = await sha256Hex(body);
    if (digest === expected.sha256) return body;
    problem = `${expected.path}: SHA-256 ${digest.slice(0, 12)}… does not match the manifest's ${expected.sha256.slice(0, 12)}…`;
  }
  throw new RuntimeError('EW_MODEL_INTEGRITY', problem);
}
