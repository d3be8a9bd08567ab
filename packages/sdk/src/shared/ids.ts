/** A random RFC 4122 version-4 UUID (the report schema requires this exact shape). */
export function uuid(): string {
  const c = globalThis.crypto;
  // randomUUID exists only in secure contexts; plain-http shops get the same format from getRandomValues.
  return c.randomUUID
    ? c.randomUUID()
    : '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (d) => (+d ^ (c.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+d / 4)))).toString(16));
}

/** A uniform number in [0, 1) from the platform CSPRNG; privacy noise must not come from Math.random. */
export function secureRandom(): number {
  return globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 4294967296;
}
