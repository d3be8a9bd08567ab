/**
 * The snippet's call queue. Before the script loads, `window.edgewise` is an array whose stub methods push
 * `[method, ...args]` (see the README). Once loaded, the queue is replayed in order and its `push` is redirected
 * to the real API, so stubs captured earlier keep working.
 */

/** Methods a queued entry may name. */
export const QUEUE_METHODS = ['track', 'recommend', 'intent', 'understand', 'segment', 'consent.set', 'privacy.forget', 'privacy.export', 'privacy.inventory', 'on'];

/** Replays `queue` (if it is the snippet's array) into `api`, then routes later pushes to it. */
export function replayQueue(queue: unknown, api: Record<string, any>, log: (m: string) => void): void {
  if (!Array.isArray(queue)) return;
  const call = (entry: unknown) => {
    const [method, ...args] = Array.isArray(entry) ? entry : [];
    if (!QUEUE_METHODS.includes(method)) return log('queue: ignored ' + String(method).slice(0, 40));
    const [a, b] = method.split('.');
    // Public methods never throw; the guard is for a replaced or broken api object.
    try {
      (b ? api[a][b] : api[a])(...args);
    } catch {}
  };
  queue.splice(0).forEach(call);
  queue.push = (...entries: unknown[]) => (entries.forEach(call), 0);
}
