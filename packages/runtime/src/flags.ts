/** Limits and tunables of the worker, with units. Platform limits name their source. */

/** Largest `count` a recommend call may ask for (protocol RecommendRequest). */
export const RECOMMEND_COUNT_MAX = 50;
/** Longest `recentItems` list accepted; the SDK keeps at most RECENT_ITEMS_MAX (protocol profile.ts) = 50. */
export const RECENT_ITEMS_ACCEPTED_MAX = 50;
/** How many of the most recent items build an 'item-embedding' query (contract: recency-weighted mean of the last ≤ 10); 'attn-pool' reads contract.maxLen. */
export const QUERY_ITEMS_MAX = 10;
/** Longest `exclude` list accepted: purchases + cart + the item on screen stay far below this. */
export const EXCLUDE_MAX = 200;
/** Longest item id accepted in a request, in UTF-16 code units. */
export const ITEM_ID_MAX_CHARS = 256;
/** Longest category name accepted in a request. */
export const CATEGORY_MAX_CHARS = 100;

/** A model file larger than this is refused before it is downloaded (1M items × 64 dims int8 is 64 MiB). */
export const MODEL_FILE_MAX_BYTES = 512 * 1024 * 1024;
/** `index.json` and `manifest.json` are small; anything bigger is not ours. */
export const MODEL_JSON_MAX_BYTES = 1024 * 1024;
/** Give up on one HTTP fetch after this long. */
export const FETCH_TIMEOUT_MS = 60_000;
/** A file whose bytes or digest do not match is fetched once more, bypassing caches, before it is refused. */
export const FETCH_RETRIES = 1;

/**
 * A returning visitor's worker starts from the index and manifests of its last complete load when they are younger
 * than this (then revalidates them); older ones are asked from the network first. A changed model reaches a shopper
 * at the next page view after the one that saw the change.
 */
export const MODEL_SNAPSHOT_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * The WASM scan runs on a second thread (a nested worker sharing its memory) from this many catalog rows, on
 * cross-origin isolated pages of devices with ≥ 2 cores. Below it a scan is under ~1 ms and the hop to the other
 * thread (tens to hundreds of µs) eats the gain.
 */
export const WASM_THREADS_MIN_ROWS = 200_000;
/** A scan thread that has not started or answered after this long is dropped and its rows scanned by the worker. */
export const WASM_THREAD_REPLY_TIMEOUT_MS = 2_000;

/** Give up on bringing one backend up after this long (WebGPU adapter/device requests can stall). */
export const BACKEND_INIT_TIMEOUT_MS = 20_000;
/** Entries kept in RuntimeStatus.errors; older ones are dropped. */
export const STATUS_ERRORS_MAX = 20;

/**
 * Calibration starts this long after init resolves, when the page has had its first answers; it then times each
 * usable backend's kernel with CALIBRATION_QUERIES real queries, one per queue turn so shopper calls interleave.
 */
export const CALIBRATION_DELAY_MS = 1_500;
/**
 * A start from the model snapshot loads the recommend model alone; the task models (intent, understand, segment)
 * load on their first call or this long after init, whichever comes first, off the first recommendation's path.
 */
export const TASK_MODELS_DELAY_MS = 1_000;
export const CALIBRATION_QUERIES = 7;

/**
 * Longest `understand` text accepted, in UTF-16 code units: a search box or a help message. The model and the
 * entity extractor read the first 1,000 (protocol features MAX_INPUT_CHARS, MAX_ENTITY_INPUT_CHARS), as in training.
 */
export const UNDERSTAND_TEXT_MAX_CHARS = 4096;
/** Most page kinds accepted in a session's `pageCounts` / `pageSeconds`; protocol PageType has 9. */
export const SESSION_PAGE_KINDS_MAX = 32;
/** Longest page-kind key accepted. */
export const PAGE_KIND_MAX_CHARS = 40;
/** Largest |timestamp| a Date can hold (ECMAScript: ±8.64e15 ms). */
export const TIMESTAMP_MAX_MS = 8.64e15;
