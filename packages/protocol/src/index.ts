export { EVENT_NAMES } from './events.ts';
export type { EventName, EventItem, EventParams, EventSource, PageType, StoredEvent } from './events.ts';
export { PROFILE_HALF_LIFE_DAYS, RECENT_ITEMS_MAX, TRANSACTIONS_MAX } from './profile.ts';
export type { Profile, SessionFeatures } from './profile.ts';
export { ModelManifest, ManifestFile, ManifestTensor, ModelTask, TensorDtype } from './manifest.ts';
export type { CatalogItem, ModelIndex } from './manifest.ts';
export {
  REPORT_SCHEMA_VERSION,
  REPORT_MAX_BYTES,
  HISTOGRAM_MAX_BUCKETS,
  Mechanism,
  CategoryInterestReport,
  Report,
  ReportBatch,
} from './reports.ts';
export type { IngestResponse, Aggregate, AggregateCell, AggregatesResponse } from './reports.ts';
export { ERROR_CODES } from './errors.ts';
export type { ErrorCode, Problem, CodedError } from './errors.ts';
export type {
  BackendName,
  RuntimeConfig,
  RecommendRequest,
  RecommendedItem,
  RecommendResult,
  IntentRequest,
  IntentResult,
  UnderstandRequest,
  UnderstandResult,
  SegmentRequest,
  SegmentResult,
  RuntimeStatus,
  WorkerApi,
} from './worker-api.ts';
