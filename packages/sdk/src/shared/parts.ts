import type { CategoryInterestReport, Profile, RecommendRequest, RecommendResult, RuntimeStatus, StoredEvent } from '@edgewise/protocol';
import type { DebugInfo, ExportData, Inventory } from '../api/types.ts';
import type { IntentAnswer, SegmentAnswer, UnderstandAnswer } from '../infer/tasks.ts';
import type { Config } from '../loader/config.ts';
import type { Store } from '../store/types.ts';
import type { Logger } from './log.ts';

/**
 * Contracts between the core (the script-tag bundle) and the parts it loads lazily as separate files
 * (`edgewise-{infer,ui,report,privacy,memory,upkeep}.js`). Type-only: every part receives the one {@link Host} object,
 * so no state is duplicated between files.
 */

/** What a recommendation call resolves to. */
export interface Recommendations {
  items: RecommendResult['items'];
  /** 'model' or 'popular' as the worker answered; 'none' when no answer could be had. */
  source: RecommendResult['source'] | 'none';
  backend: RecommendResult['backend'];
}

/** Options of `edgewise.recommend()`. */
export interface RecommendOptions {
  /** How many items (1..50, default 8). */
  count?: number;
  context?: {
    /** The item on screen: excluded from the answer and read as the latest interest. Default: the page's product. */
    itemId?: string;
    /** Where the list is shown: 'product' | 'home' | 'cart' | ... */
    placement?: string;
    /** Restrict to one top-level category. */
    category?: string;
    /** More item ids never to return. */
    exclude?: string[];
    /** Let items the shopper viewed lately come back (repeat purchases). Default false. */
    includeRecent?: boolean;
  };
}

/** The state of the latest report, for `edgewise.debug.lastReport` and `on('report')`. */
export interface ReportStatus {
  status: 'queued' | 'sent' | 'retrying' | 'dropped';
  period: string;
  at: number;
  /** The exact payload (what goes on the wire: noised bits over the public buckets). */
  report: CategoryInterestReport;
}

/** The core, as the parts see it. */
export interface Host {
  config: Config;
  log: Logger;
  now(): number;
  /** Uniform [0, 1) for privacy noise; default the platform CSPRNG. */
  random?: () => number;
  fetch?: typeof fetch;
  nav?: Navigator;
  win?: { addEventListener?: (type: string, fn: () => void) => void };
  /** True while reports may be built and sent: consent granted, site and endpoint set, not automated. */
  allowed(): boolean;
  /** The open store; null unless consent is granted. */
  store(): Promise<Store | null>;
  /** Writes pending events now. */
  flush(): Promise<void>;
  /** A profile folded from nothing but `events` (oldest first): the rebuild of a corrupted stored profile. */
  profileOf(events: StoredEvent[]): Profile;
  /** `edgewise.debug`: the SDK's state. */
  debug(): DebugInfo;
  onReport(s: ReportStatus): void;
  recommend(options: RecommendOptions): Promise<Recommendations>;
  track(name: string, params: Record<string, unknown>): unknown;
  /** The report part, once allowed (see `allowed`); null otherwise. */
  reporter(): Promise<Reporter> | null;
}

export interface Infer {
  recommend(req: RecommendRequest): Promise<RecommendResult>;
  /** Starts the worker (once); a failure is logged by the part and retried by the next call. Never rejects. */
  prepare(): void;
  status(): RuntimeStatus | null;
}
/** The infer part's face to the core: option parsing, exclusions and the timeout live in the part. */
export interface Recommender {
  recommend(options: unknown, profile: Profile, pageItem: string | null): Promise<Recommendations>;
  /** Starts the worker and its model load now, so the first recommend() does not wait for them. Never rejects. */
  prepare(): void;
}
/**
 * The other tasks, over the same worker as the recommender: each resolves to its answer or to null (with a debug
 * line: no model, a refused model, junk, a timeout) — never rejects.
 */
export interface TaskAnswers {
  intent(profile: Profile): Promise<IntentAnswer | null>;
  understand(text: unknown): Promise<UnderstandAnswer | null>;
  segment(profile: Profile): Promise<SegmentAnswer | null>;
}
export interface Reporter {
  /** Builds, privatizes and queues today's report if the day qualifies and the budget allows; then sends. */
  maybeReport(): Promise<void>;
  /** Sends what is due in the outbox. */
  flush(): Promise<void>;
  /** Forgets in-memory state (after `privacy.forget()`). */
  reset(): void;
}
/** The leader election and the chores only the leader tab does (`leader/part.ts`). */
export interface Upkeep {
  isLeader(): boolean;
  /** Something happened that may make today's report due: the leader builds it, other tabs tell the leader. */
  reportDue(): void;
}
export interface Privacy {
  export(): Promise<ExportData>;
  inventory(): Promise<Inventory>;
}

/** How the core obtains its parts: by URL beside the script, or through a bundler's dynamic import. */
export interface PartLoader {
  infer(): Promise<{ createRecommender(h: Host): Recommender; createTasks(h: Host): TaskAnswers }>;
  ui(): Promise<{ mount(el: HTMLElement, h: Host): void }>;
  report(): Promise<{ createReporter(h: Host): Reporter }>;
  privacy(): Promise<{ createPrivacy(h: Host): Privacy }>;
  memory(): Promise<{ memoryStore(profile?: Profile): Store }>;
  upkeep(): Promise<{ createUpkeep(h: Host): Upkeep }>;
}
