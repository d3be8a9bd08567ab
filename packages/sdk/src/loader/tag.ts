import { createClient } from '../api/client.ts';
import type { PartLoader } from '../shared/parts.ts';
import { tagConfig } from './config.ts';
import { replayQueue } from './queue.ts';

/** The lazy parts; each is the ES module `edgewise-<name>.js` beside the script. */
const PART_NAMES: Array<keyof PartLoader> = ['infer', 'ui', 'report', 'privacy', 'memory', 'upkeep'];

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
    const parts: PartLoader = Object.fromEntries(
      PART_NAMES.map((name) => [name, () => import(/* @vite-ignore */ config.assetBaseUrl + 'edgewise-' + name + '.js')]),
    ) as Record<keyof PartLoader, () => Promise<never>>;
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
