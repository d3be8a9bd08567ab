/**
 * Edgewise for bundlers: `createEdgewise()` does what the script tag does, with options instead of `data-*`
 * attributes. The worker (`edgewise-worker.js`), the models folder and the wasm files are served from
 * `assetBaseUrl` (copy `dist/edgewise/` there).
 */
import { createClient } from './api/client.ts';
import { makeConfig } from './loader/config.ts';
import type { Edgewise } from './api/types.ts';
import type { PartLoader } from './shared/parts.ts';

export { EVENT_NAMES } from '@edgewise/protocol';
export type { EventItem, EventName, EventParams, PageType, RecommendedItem } from '@edgewise/protocol';
export type {
  ConsentSource, ConsentState, DebugInfo, Edgewise, EdgewiseEvents, ExportData, IntentAnswer, Inventory, LogEntry,
  Recommendations, RecommendOptions, ReportStatus, SegmentAnswer, UnderstandAnswer,
} from './api/types.ts';

/** Options of {@link createEdgewise}; the same settings as the script tag's `data-*` attributes. */
export interface EdgewiseOptions {
  /** Site key, as registered with the ingestion server. */
  site: string;
  /** The ingestion server's origin, e.g. `https://ingest.example.com`. */
  endpoint?: string;
  /** Where `edgewise-worker.js` and the wasm files are served (default `/edgewise/`). */
  assetBaseUrl?: string;
  /** Where `index.json` and the model folders are served (default `<assetBaseUrl>/models/`). */
  modelBaseUrl?: string;
  /** Initial consent; default pending. */
  consent?: 'granted' | 'denied' | 'pending';
  /** 'ignore' to disregard Global Privacy Control (default: honour it). */
  gpc?: 'honour' | 'ignore';
  debug?: boolean;
  /** Keep events from automated browsers (for your own browser tests). */
  allowAutomation?: boolean;
}

const parts: PartLoader = {
  infer: () => import('./infer/part.ts'),
  ui: () => import('./ui/part.ts'),
  report: () => import('./aggregate/part.ts'),
  privacy: () => import('./transparency/part.ts'),
  memory: () => import('./store/memory-store.ts'),
  upkeep: () => import('./leader/part.ts'),
};

/**
 * Creates and starts the SDK: collection (dataLayer, JSON-LD, clicks, page view), consent, storage and the
 * `<edgewise-recommendations>` element. Call once per page.
 */
export function createEdgewise(options: EdgewiseOptions): Edgewise {
  const problems: string[] = [];
  const pageUrl = typeof location !== 'undefined' ? location.href : 'http://localhost/';
  const config = makeConfig({ ...options, debug: options.debug === true, allowAutomation: options.allowAutomation === true }, pageUrl, problems);
  const { api, start } = createClient(config, { parts, problems });
  start();
  return api;
}
