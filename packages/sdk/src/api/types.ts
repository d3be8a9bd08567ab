import type { EventName, EventParams, EventSource, Profile, StoredEvent } from '@edgewise/protocol';
import type { ConsentSource, ConsentState } from '../consent/consent.ts';
import type { LogEntry } from '../shared/log.ts';
import type { IntentAnswer, SegmentAnswer, UnderstandAnswer } from '../infer/tasks.ts';
import type { Recommendations, RecommendOptions, ReportStatus } from '../shared/parts.ts';
import type { OutboxItem } from '../store/types.ts';

export type { ConsentSource, ConsentState, IntentAnswer, LogEntry, Recommendations, RecommendOptions, ReportStatus, SegmentAnswer, UnderstandAnswer };

/** What `edgewise.debug` shows: the SDK's state, for the debug panel and browser tests. No personal data. */
export interface DebugInfo {
  version: string;
  site: string | null;
  consent: ConsentState;
  consentSource: ConsentSource;
  /** Where accepted events go now: IndexedDB, or memory (consent not granted yet, or a storage fault). */
  storage: 'indexeddb' | 'memory';
  /** Why storage is memory: 'consent' (not granted), 'unsupported', 'blocked', 'open-failed', 'quota', 'connection-lost', 'closed', 'error'. */
  storageReason?: string;
  /** The inference backend the worker chose, once it answered. */
  backend?: string | null;
  /** Why this page's events are kept out of the profile and reports (automation detected), if they are. */
  automation?: string;
  /** Events accepted on this page and not yet written. */
  pendingEvents: number;
  lastReport?: ReportStatus;
  /** The last 100 debug messages (dropped input, faults, reports). */
  log: LogEntry[];
}

/** `privacy.export()`: everything the SDK stored on this device. */
export interface ExportData {
  exportedAt: string;
  storage: 'indexeddb' | 'memory';
  events: StoredEvent[];
  profile: Profile | null;
  outbox: OutboxItem[];
  meta: Record<string, unknown>;
}

/** `privacy.inventory()`: a machine-readable account of what is processed on the device and what leaves it. */
export interface Inventory {
  sdkVersion: string;
  site: string | null;
  consent: { state: ConsentState; source: ConsentSource; globalPrivacyControl: boolean; gpcHonoured: boolean };
  automation: string | null;
  storage: { kind: 'indexeddb' | 'memory'; reason?: string; database: string; stores: Record<string, string>; counts: { events: number; outbox: number } };
  collects: string[];
  sends: Array<{ to: string | null; kind: string; fields: string[]; mechanism: string; epsilon: number; dailyEpsilonBudget: number; when: string }>;
  neverSends: string[];
  downloads: string[];
}

/** Events `on()` accepts and what their handlers receive. */
export interface EdgewiseEvents {
  ready: void;
  consent: { state: ConsentState; source: ConsentSource };
  event: { name: EventName; params: EventParams; source: EventSource };
  report: ReportStatus;
}

/** The public object: `window.edgewise` after the script loads, or what `createEdgewise()` returns. */
export interface Edgewise {
  /** SDK version. */
  readonly version: string;
  /**
   * Records a GA4 ecommerce event. Returns true when accepted; unknown names and malformed params are dropped with
   * a debug message (see `debug.log`). Never throws.
   */
  track(name: EventName, params?: EventParams): boolean;
  /** Recommended items for this shopper, excluding the item on screen, the cart and past purchases. Never rejects. */
  recommend(options?: RecommendOptions): Promise<Recommendations>;
  /** The probability that this session ends in a purchase, from its page mix and timings; null without a model or a session. Never rejects. */
  intent(): Promise<IntentAnswer | null>;
  /**
   * What a shopper typed into a search or help box: one of the customer-support intents (track an order, return,
   * ...) with its confidence, and the entities an answer needs (order numbers, amounts, dates, catalog terms).
   * Runs in the worker; the text never leaves the device. Null for anything but a string, or without a model.
   */
  understand(text: string): Promise<UnderstandAnswer | null>;
  /** The shopper's segment (with a plain-language label) from this session; null without a model or a session. */
  segment(): Promise<SegmentAnswer | null>;
  consent: {
    /** Called by the merchant's consent tool. 'denied' after 'granted' deletes everything stored. */
    set(state: 'granted' | 'denied'): Promise<void>;
    get(): ConsentState;
  };
  privacy: {
    inventory(): Promise<Inventory>;
    /** Everything stored on this device, as JSON. Pending writes are flushed first. */
    export(): Promise<ExportData>;
    /** Deletes everything the SDK stored (the IndexedDB database, with the outbox). Resolves true when deleted. */
    forget(): Promise<boolean>;
  };
  /** Subscribes; returns the unsubscribe function. Handlers that throw are logged, never rethrown. */
  on<K extends keyof EdgewiseEvents>(event: K, handler: (payload: EdgewiseEvents[K]) => void): () => void;
  /** A snapshot of the SDK's state. */
  readonly debug: DebugInfo;
}
