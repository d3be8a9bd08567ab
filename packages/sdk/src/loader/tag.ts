import { createClient } from '../api/client.ts';
import type { PartLoader } from '../shared/parts.ts';
import { tagConfig } from './config.ts';
import { replayQueue } from './queue.ts';

/**
 * The script-tag entry (`edgewise.js`), the only file that starts anything. It reads the tag's `data-*`
 * attributes, creates the client, replays the snippet's queue in order, then installs the real API as
 * `window.edgewise` and starts collection. Lazy parts are ES modules beside the script, loaded by URL.
 */
((w: Window & { edgewise?: unknown; edgewiseAllowAutomation?: unknown }) => {
  try {
    const queue = w.edgewise;
    if (queue && !Array.isArray(queue)) return; // already loaded on this page
    const doc = w.document;
    const script = (doc.currentScript as HTMLScriptElement | null) ?? doc.querySelector('script[data-site][src*="edgewise"]');
    const problems: string[] = [];
    const config = tagConfig(script, w.location.href, w.edgewiseAllowAutomation, problems);
    const load = <T>(name: string) => import(/* @vite-ignore */ config.assetBaseUrl + 'edgewise-' + name + '.js') as Promise<T>;
    const parts: PartLoader = { infer: () => load('infer'), ui: () => load('ui'), report: () => load('report'), privacy: () => load('privacy'), memory: () => load('memory'), upkeep: () => load('upkeep') };
    const { api, start, log } = createClient(config, { parts, problems, env: w as never });
    replayQueue(queue, api as never, log.debug);
    w.edgewise = api;
    start();
  } catch (e) {
    // The host page stays whole whatever happens here.
    try {
      console.debug('[edgewise] failed to start', e);
    } catch {}
  }
})(window);
