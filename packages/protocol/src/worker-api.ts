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

export interface IntentRequest {
  session: SessionFeatures;
  returningVisitor: boolean;
}

export interface IntentResult {
  /** Calibrated probability that this session ends in a purchase. */
  purchase: number;
  modelVersion: string | null;
}

export interface UnderstandResult {
  intent: string;
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
}

export interface SegmentResult {
  segment: string;
  label: string;
  modelVersion: string | null;
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
}

/** What `runtime/src/worker.ts` exposes through comlink. */
export interface WorkerApi {
  init(config: RuntimeConfig): Promise<RuntimeStatus>;
  status(): Promise<RuntimeStatus>;
  recommend(request: RecommendRequest): Promise<RecommendResult>;
}
