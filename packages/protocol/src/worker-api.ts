import type { CodedError } from './errors.ts';
import type { SessionFeatures } from './profile.ts';

/**
 * The inference worker's API, reached from the page through comlink. Messages stay small: the page sends item
 * ids and counters, the worker answers with at most `count` items. Model work never runs on the page's thread.
 */

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface RuntimeConfig {
  /** Absolute URL of the folder holding `index.json` and the model folders. */
  modelBaseUrl: string;
  /** Backends to try, best first; the default is webgpu, webgl, wasm, cpu. */
  backends?: BackendName[];
  /** Absolute URL of the folder holding tfjs's wasm binaries. */
  wasmPath?: string;
  /**
   * Pin the catalog-scan kernel where the chosen backend has it ('wasm-simd-int8', 'js-int8', 'webgpu-int8',
   * 'tfjs-matmul'); for tests and benchmarks. Pages leave it out and get the measured best.
   */
  kernel?: string;
}

export interface RecommendRequest {
  /** How many items to return (1..50). */
  count: number;
  /** Item ids the shopper interacted with, oldest first; the model reads the last ones. */
  recentItems: string[];
  /** Item ids never to return (bought, in the cart, the one on screen). */
  exclude?: string[];
  /** Restrict to one top-level category. */
  category?: string;
  /**
   * Let `recentItems` come back (repeat purchases: groceries, consumables — a model's `repeatBonus` is about them).
   * Default false: what the shopper just looked at is not recommended to them. `exclude` still applies.
   */
  includeRecent?: boolean;
}

export interface RecommendedItem {
  itemId: string;
  score: number;
  title?: string;
  category?: string;
  brand?: string;
  price?: number;
  currency?: string;
  url?: string;
  image?: string;
}

export interface RecommendResult {
  items: RecommendedItem[];
  /** 'model' when the model ranked the items; 'popular' when it had nothing to go on or failed. */
  source: 'model' | 'popular';
  backend: BackendName | null;
  modelVersion: string | null;
  /** Time spent in the worker, ms. */
  workerMs: number;
}

/**
 * The current session, for purchase intent and segments. The worker reads `startedAt` (local month and weekend),
 * `pageCounts` and `pageSeconds` (summed per page kind as models/src/intent/FEATURES.md says); the other fields of
 * SessionFeatures may be sent and are ignored.
 */
export interface IntentRequest {
  session: SessionFeatures;
  /** The profile saw an earlier session (`rfm.sessions > 1`). */
  returningVisitor: boolean;
}

export interface IntentResult {
  /** Calibrated probability that this session ends in a purchase. */
  purchase: number;
  modelVersion: string | null;
  /** Time spent in the worker, ms. */
  workerMs?: number;
}

/** A search or help query. A bare string is accepted too and means `{ text }`. */
export interface UnderstandRequest {
  /** The shopper's text; at most 4,096 UTF-16 code units, of which the model reads the first 1,000. */
  text: string;
  /** The shopper's clock (epoch ms) for relative dates ("yesterday"); the worker's clock when left out. */
  now?: number;
  /** How to read 05/03/2026; 'dmy' (the model's default) unless the shop says otherwise. */
  dateOrder?: 'dmy' | 'mdy';
}

export interface UnderstandResult {
  /** The most probable of the model's intents (Bitext's 27 customer-service intents for the demo). */
  intent: string;
  /** Its probability. */
  confidence: number;
  entities: Array<{
    type: 'order_number' | 'amount' | 'date' | 'product';
    value: string;
    start: number;
    end: number;
    /** product: catalog item ids the matched term stands for (at most 20). */
    itemIds?: string[];
    /** order_number: what the reference refers to, from the words before it. */
    refersTo?: 'order' | 'invoice' | 'tracking' | 'unknown';
  }>;
  modelVersion: string | null;
  /** Time spent in the worker, ms. */
  workerMs?: number;
}

/** Segments read the same session counters as purchase intent; `returningVisitor` is not used. */
export interface SegmentRequest {
  session: SessionFeatures;
  returningVisitor?: boolean;
}

export interface SegmentResult {
  /** The segment's id in the model ('s0', 's1', ...: lightest sessions first). */
  segment: string;
  /** Its plain-language name, e.g. 'Quick visitors'. */
  label: string;
  /** The segment's typical session in pages and minutes, from the model. */
  description?: string;
  modelVersion: string | null;
  /** Time spent in the worker, ms. */
  workerMs?: number;
}

export interface RuntimeStatus {
  ready: boolean;
  backend: BackendName | null;
  /** The kernel scanning the catalog on `backend`, e.g. 'wasm-simd-int8'; null before a model is on a backend. */
  kernel?: string | null;
  /** Backends probed, with the reason each unused one was skipped. */
  probed: Array<{ backend: BackendName; ok: boolean; reason?: string; calibrationMs?: number }>;
  models: Array<{ task: string; version: string; kind: string; items?: number }>;
  errors: CodedError[];
  /**
   * Where the last init's time went, ms: `models` (index, manifests, files from Cache Storage or the network,
   * SHA-256, building the models) and `probe` (the backends' capability probes) run side by side; `attach` puts
   * the catalog on the chosen kernel and warms it up (shader compilation, JIT); `total` is the whole init.
   */
  initMs?: { models: number; probe: number; attach: number; total: number };
  /** Threads the catalog scan runs on: 2 for the WASM kernel on a large catalog of a cross-origin isolated page, else 1. */
  threads?: number;
  /** Whether the backend was chosen from a calibration remembered for this device and model version. */
  rememberedChoice?: boolean;
  /**
   * Bytes the recommend model keeps outside the JS heap: `catalog` = the ArrayBuffers of the int8 table, scales,
   * popularity and categories; `kernel` = the copy the kernel scans (WASM memory, GPU buffers, tfjs tensors), 0 when
   * it reads the model's own arrays. The parsed catalog items are JS heap and not included.
   */
  memoryBytes?: { catalog: number; kernel: number };
}

/** What `runtime/src/worker.ts` exposes through comlink. */
export interface WorkerApi {
  init(config: RuntimeConfig): Promise<RuntimeStatus>;
  status(): Promise<RuntimeStatus>;
  recommend(request: RecommendRequest): Promise<RecommendResult>;
  /**
   * Purchase probability of the current session. Rejects with `{ code, message }`: EW_BAD_REQUEST for junk,
   * EW_NOT_READY before init, EW_MODEL_MISSING when the site ships no intent model, and the load error's code
   * (EW_MODEL_INTEGRITY, EW_MODEL_INVALID, EW_MODEL_FETCH) when its model was refused.
   */
  intent(request: IntentRequest): Promise<IntentResult>;
  /** Query intent and entities of a search or help text; rejects as `intent` does. */
  understand(request: UnderstandRequest | string): Promise<UnderstandResult>;
  /** The shopper's segment from the current session; rejects as `intent` does. */
  segment(request: SegmentRequest): Promise<SegmentResult>;
}
