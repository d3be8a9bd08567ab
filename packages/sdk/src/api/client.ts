import type { EventSource, Profile, StoredEvent } from '@edgewise/protocol';
import { automationReason, rateFlagger } from '../collect/bot.ts';
import { hookDataLayer } from '../collect/datalayer.ts';
import { watchPage } from '../collect/page-watch.ts';
import { isPlainObject, validateEvent, type ValidEvent } from '../collect/validate.ts';
import { initialConsent, parseConsent, type ConsentDecision, type ConsentState } from '../consent/consent.ts';
import type { Config } from '../loader/config.ts';
import { budgetLeft } from '../privatize/budget.ts';
import { applyEvent, applyEvents, clampToClock, cloneProfile, emptyProfile, settleProfile } from '../profile/profile.ts';
import {
  DAILY_EPSILON_BUDGET, FLUSH_BATCH_EVENTS, FLUSH_DELAY_MS, IDLE_TIMEOUT_MS, MEMORY_EVENTS_MAX, REPORT_EPSILON, SDK_VERSION,
} from '../shared/constants.ts';
import { uuid } from '../shared/ids.ts';
import { createLogger, type Logger } from '../shared/log.ts';
import type { Host, PartLoader, Privacy, Recommendations, Recommender, Reporter, ReportStatus, TaskAnswers, Upkeep } from '../shared/parts.ts';
import { describe, safe, safeAsync } from '../shared/safe.ts';
import { utcDay, whenIdle } from '../shared/time.ts';
import { deleteDatabase } from '../store/database.ts';
import { faultOf, openIdbStore, type OpenOptions, type StorageFault } from '../store/idb-store.ts';
import type { Store } from '../store/types.ts';
import { defineElement } from '../ui/element.ts';
import type { DebugInfo, Edgewise, EdgewiseEvents, ExportData, Inventory } from './types.ts';

/**
 * The SDK's core: validation → automation check → consent gate → live profile → batched IndexedDB writes, and
 * the public object. The worker, the widget, reports, the inventory and the memory store are lazy parts.
 */

/** Browser globals the core touches; tests pass a fake. */
export interface Env {
  document?: Document;
  navigator?: Navigator & { globalPrivacyControl?: boolean };
  location?: Location;
  performance?: Performance;
  dataLayer?: unknown;
  customElements?: CustomElementRegistry;
  HTMLElement?: typeof HTMLElement;
  BroadcastChannel?: typeof BroadcastChannel;
  fetch?: typeof fetch;
  addEventListener?: (type: string, fn: (e: Event) => void) => void;
}

export interface ClientDeps {
  parts: PartLoader;
  env?: Env;
  now?: () => number;
  /** Uniform [0, 1) source for privacy noise; default the platform CSPRNG. */
  random?: () => number;
  fetch?: typeof fetch;
  openStore?: (opts: OpenOptions) => Promise<Store | StorageFault>;
  /** Messages from reading the configuration, logged once the logger exists. */
  problems?: string[];
}

export interface Client {
  api: Edgewise;
  /** Starts collection: dataLayer, clicks, page view, consent, lifecycle listeners. Call once, after replaying the queue. */
  start(): void;
  log: Logger;
}

/** Time recommend() waits for the stored profile before answering from the page's events alone. */
const PROFILE_WAIT_MS = 1500;
/** A connection closed under us is reopened this many times before the page falls back to memory. */
const REOPEN_MAX = 2;
const INTEREST = ['view_item', 'add_to_cart', 'purchase'];
const IMPRESSIONS = ['view_item_list', 'view_promotion'];
const EVENT_TYPES = ['ready', 'consent', 'event', 'report'];

export function createClient(config: Config, deps: ClientDeps): Client {
  const env: Env = deps.env ?? (globalThis as Env);
  const { document: doc, navigator: nav, location: loc } = env;
  const now = deps.now ?? Date.now;
  const fetchFn = deps.fetch ?? env.fetch?.bind(env);
  const log = createLogger(config.debug, now);
  deps.problems?.forEach(log.warn);
  const parts = deps.parts;

  let consent: ConsentDecision = initialConsent(config.consent, config.gpc, nav?.globalPrivacyControl);
  let automation = config.allowAutomation ? null : automationReason(nav);
  if (automation) log.warn('automated browser (' + automation + '): kept out of profile and reports; data-allow-automation opts in');
  const tooFast = rateFlagger();

  // The profile the page sees: the stored one (once read) with every accepted event not yet written folded in.
  let base: Profile | undefined;
  let pending: StoredEvent[] = [];
  let live = emptyProfile(now());
  // Accepted events not folded into `live` yet. They are folded in one loop when the profile is next read or
  // written (a write, a recommendation, a full batch), not one call at a time between the page's own work.
  const unfolded: StoredEvent[] = [];
  /** `live` with every accepted event folded in, its lists within their bounds. */
  const current = (): Profile => {
    clampToClock(live, now());
    for (const e of unfolded) applyEvent(live, e, uuid);
    unfolded.length = 0;
    return settleProfile(live);
  };
  let pageItem: string | null = null;
  // Event ids: one random prefix per page and a counter, unique on the device without a CSPRNG call per event.
  const pageId = uuid() + '.';
  let seq = 0;
  /** Product ids viewed on this page; their names ('\0' + name), and names with each brand given ('\0' + name + '\0' + brand). */
  const viewed = new Set<string>();
  // The page address `viewed` belongs to. A single-page app's own popstate listener, registered before ours, may
  // announce the product of the page it goes back to before page-watch has signalled the navigation: at each
  // product view (not at every event) the address decides, and the later signal for the same address is a no-op.
  const address = () => (loc ? loc.pathname + loc.search : '');
  let viewedAt = address();
  // A rewrite of the address in place (a variant chosen, tracking parameters stripped) is the same page.
  const newPage = (rewrite?: boolean) => {
    if (viewedAt !== (viewedAt = address()) && !rewrite) viewed.clear(), (pageItem = null);
  };

  let store: Store | null = null;
  let storeP: Promise<Store | null> | null = null;
  let storageReason: string | undefined = 'consent';
  let reopens = 0;
  let budget: unknown;
  /** Bumped by forget(): work started before it must not write its results back. */
  let gen = 0;
  /** The last forget()'s deletion of the database. */
  let deleting: Promise<unknown> = Promise.resolve();

  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  let flushing: Promise<void> | null = null;
  /** Events in a write now, so that an urgent write beside it does not fold them into the profile twice. */
  const writing = new Set<StoredEvent>();
  let again = false;
  let lastFlush = 0;

  let recommenderP: Promise<Recommender> | null = null;
  let tasksP: Promise<TaskAnswers> | null = null;
  let reporterP: Promise<Reporter> | null = null;
  let privacyP: Promise<Privacy> | null = null;
  let upkeepP: Promise<Upkeep> | null = null;
  let backend: string | null | undefined;
  let lastReport: ReportStatus | undefined;
  let ready = false;
  /** A dataLayer array the page assigned after start is being read: its pushes were made before, not now. */
  let replaying = false;
  const handlers: Record<string, Set<(p: unknown) => void>> = {};
  const channel = env.BroadcastChannel && new env.BroadcastChannel('edgewise');

  const emit = <K extends keyof EdgewiseEvents>(name: K, payload: EdgewiseEvents[K]) =>
    handlers[name]?.forEach((h) => safe<[unknown], unknown>(log, name + ' handler', h, 0)(payload));
  const idle = (fn: () => unknown) => whenIdle(() => void fn(), IDLE_TIMEOUT_MS);
  /** `base` with every pending event folded in: what `live` becomes, the unfolded events included. */
  const rebuild = () => ((unfolded.length = 0), applyEvents(clampToClock(base ? cloneProfile(base) : emptyProfile(now()), now()), pending, uuid));
  /** Loads a part once; a failed load is retried on the next call. */
  const part = <T>(get: () => Promise<T> | null, set: (p: Promise<T> | null) => void, load: () => Promise<T>): Promise<T> =>
    get() ?? (set(load().catch((e) => (set(null), Promise.reject(e)))), get()!);

  // ---- storage -------------------------------------------------------------------------------------------------

  function onClosed(): void {
    // Another tab upgraded or deleted the database: reopen on the next write.
    store = storeP = null;
    storageReason = 'closed';
  }

  /** Switches to the memory store (a lazy part); until it loads, or if it cannot, events wait in `pending`. */
  function useMemory(reason: string): Promise<Store | null> {
    log.warn('IndexedDB unusable (' + (storageReason = reason) + '): memory for this page');
    store = null;
    // A part that failed to load is tried again at the next write.
    return (storeP = parts.memory().then((m) => (store = m.memoryStore(base)), () => (storeP = null)));
  }

  /** Takes the store opened for generation `g` (see `gen`), reading what it holds. */
  async function adopt(r: Store | StorageFault, g: number): Promise<Store | null> {
    // forget() ran while the store opened: nothing stored before it may come back into this page's profile.
    if (g !== gen) return typeof r === 'string' ? null : (r.close(), null);
    let s = typeof r === 'string' ? await useMemory(r) : r;
    const snap = await s?.snapshot().catch(async (e) => {
      s!.close();
      return (s = await useMemory(faultOf(e)))?.snapshot();
    });
    const opened = s;
    if (!opened || !snap || g !== gen) return opened?.close(), null;
    ({ profile: base, meta: { budget } } = snap);
    live = rebuild();
    store = opened;
    if (opened.kind === 'indexeddb') (storageReason = undefined), idle(upkeep);
    return opened;
  }

  /**
   * The store, opened on first use; null unless consent is granted. Never rejects. It opens after the deletion
   * of the last forget(), or a consent granted again at once would write into the database being deleted.
   */
  const openStore = (g = gen): Promise<Store | null> =>
    consent.state !== 'granted'
      ? Promise.resolve(null)
      : (storeP ??= deleting.then(() => (deps.openStore ?? openIdbStore)({ onClosed, onDeleted: () => void forget(true) })).then((r) => adopt(r, g)).catch((e) => useMemory(faultOf(e))));

  function schedule(): void {
    if (consent.state !== 'granted') return;
    // A full batch goes now (one transaction per 100 events keeps up with any burst); a small one waits to grow.
    if (pending.length - writing.size >= FLUSH_BATCH_EVENTS && !flushing) void flush();
    else if (!timer) timer = setTimeout(() => idle(flush), lastFlush + FLUSH_DELAY_MS - now());
  }

  /** Writes the pending events in one transaction; one flush at a time, a call meanwhile runs another after it. */
  function flush(urgent?: unknown): Promise<void> {
    clearTimeout(timer);
    timer = 0;
    // The page is going away: the events not already in a write go now, beside it, or they are lost.
    if (flushing && urgent === true) return commit(true).catch(() => {});
    if (flushing) return (again = true), flushing;
    return (flushing = commit(urgent === true)
      .catch((e) => log.warn('write failed: ' + describe(e)))
      .finally(() => {
        flushing = null;
        lastFlush = now();
        if (again || pending.length) schedule();
        again = false;
      }));
  }

  async function commit(unloading = false): Promise<void> {
    const s = pending.length ? await openStore() : null;
    // Folding stamps each event with its session, which is stored with it.
    current();
    const batch = pending.filter((e) => !writing.has(e));
    const g = gen;
    if (!s || !batch.length) return;
    // When the batch is everything pending, the live profile is exactly `base` with the batch folded in: a copy of
    // it is what to store, as long as no other tab wrote since `base` (same rev). Otherwise the batch is folded
    // into whatever is stored. Either way each event is folded once in the common case, not twice. A write as the
    // page goes away is blind (no read): it stores the live profile whole, which includes the events of a write
    // still in flight beside it — `base` with only this batch would drop them from the profile.
    const folded = unloading || batch.length === pending.length ? cloneProfile(live) : null;
    const baseRev = base?.rev;
    let reused = false;
    batch.forEach((e) => writing.add(e));
    try {
      const p = await s.commit(
        batch,
        (stored, evs) => {
          const out = folded && (unloading || stored?.rev === baseRev) ? ((reused = true), folded) : applyEvents(stored ? clampToClock(cloneProfile(stored), now()) : emptyProfile(evs[0]!.ts), evs, uuid);
          out.rev = uuid();
          return out;
        },
        unloading ? { base } : undefined,
      );
      if (g !== gen) return;
      pending = pending.filter((e) => !batch.includes(e));
      base = p;
      if (reused) live.rev = p.rev;
      else live = rebuild();
      if (batch.some((e) => e.name === 'purchase' || (INTEREST.includes(e.name) && e.params.items!.some((i) => i.item_category)))) maybeReport();
    } catch (e) {
      if (g !== gen) return;
      const reason = faultOf(e);
      s.close();
      if (s.kind === 'memory') pending = []; // only a bug gets here; do not loop on it
      else if (/^(closed|connection-lost)$/.test(reason) && reopens++ < REOPEN_MAX) onClosed();
      else void useMemory(reason);
    } finally {
      batch.forEach((e) => writing.delete(e));
    }
  }

  // ---- reports -------------------------------------------------------------------------------------------------

  // Reports need the daily privacy budget persisted, so never from the memory store.
  const allowed = () => !!(config.site && config.endpoint && fetchFn && consent.state === 'granted' && !automation && store?.kind === 'indexeddb');
  const reporter = (): Promise<Reporter> | null =>
    allowed() ? part(() => reporterP, (p) => (reporterP = p), () => parts.report().then((m) => m.createReporter(host))) : null;

  /** The leader election and the shared chores (retention, compaction, reports), loaded once storage is open. */
  const upkeep = () => part(() => upkeepP, (p) => (upkeepP = p), () => parts.upkeep().then((m) => m.createUpkeep(host))).catch((e) => log.warn('upkeep part: ' + describe(e)));

  function maybeReport(): void {
    if (allowed() && budgetLeft(budget, utcDay(now()), DAILY_EPSILON_BUDGET) >= REPORT_EPSILON) idle(() => upkeep().then((u) => u?.reportDue()));
  }

  // ---- events --------------------------------------------------------------------------------------------------

  function ingest(name: unknown, params: unknown, source: EventSource, ts = now()): boolean {
    let v: ValidEvent | string;
    try {
      v = validateEvent(name, params, log.debug);
    } catch {
      v = 'unreadable input';
    }
    if (typeof v === 'string') return log.debug('dropped ' + source + ' event: ' + v), false;
    if (v.name === 'view_item') {
      newPage();
      const { item_id: id, item_name: name, item_brand: brand = '' } = v.params.items![0]!;
      // Product pages usually announce their product more than once (dataLayer and JSON-LD, again as a variant is
      // chosen): one view per page. The announcements may use different ids (a variant or internal id, the SKU) for
      // one name. Look-alikes of two named brands are two products.
      const named = name && '\0' + name.toLowerCase();
      const branded = named + '\0' + brand.toLowerCase();
      const dup = viewed.has(id) || (named && (viewed.has(branded) || (viewed.has(named) && (!brand || viewed.has(named + '\0')))));
      viewed.add(id);
      if (dup) return true;
      if (named) viewed.add(named).add(branded);
      pageItem = id;
    }
    // The rate counts what a shopper does on this page: not the backlog read at start (the snippet's queue, the
    // dataLayer's earlier pushes), nor impressions, which a grid can push per card as fast as it is scrolled.
    if (!automation && !config.allowAutomation && ready && !replaying && !IMPRESSIONS.includes(v.name) && tooFast(now())) log.warn('inhuman event rate: page kept out of profile and reports'), (automation = 'event-rate');
    if (automation) return true;
    const ev: StoredEvent = { id: pageId + (++seq).toString(36), name: v.name, params: v.params, ts, sessionId: '', source };
    if (unfolded.push(ev) >= FLUSH_BATCH_EVENTS) current();
    if (consent.state !== 'denied') {
      if (pending.push(ev) > MEMORY_EVENTS_MAX) pending.shift();
      schedule();
    }
    if (handlers.event?.size) emit('event', { name: v.name, params: v.params, source });
    return true;
  }

  // ---- consent and deletion ------------------------------------------------------------------------------------

  /** `remote`: another tab forgot and deletes the database; this one only lets go of what it holds. */
  function forget(remote?: unknown): Promise<boolean> {
    gen++;
    pending = [];
    base = budget = undefined;
    live = emptyProfile(now());
    unfolded.length = 0;
    const s = storeP;
    store = storeP = null;
    const deleted = (async () => {
      (await s)?.close();
      // Not awaited: a report part still loading (or stalled) must not hold up the deletion.
      reporterP?.then((r) => r.reset(), () => {});
      if (remote) return true;
      const ok = await deleteDatabase();
      log.debug(ok ? 'forget: database deleted' : 'forget: deletion waits for another tab');
      return ok;
    })();
    deleting = deleted;
    return deleted;
  }

  async function setConsent(state: ConsentState, broadcast: boolean): Promise<void> {
    if (state !== consent.state) emit('consent', (consent = { state, source: 'api' }));
    consent.source = 'api';
    if (broadcast) channel?.postMessage({ consent: state });
    if (state === 'granted') {
      if (storageReason === 'consent') storageReason = undefined;
      await openStore();
      schedule();
    } else {
      storageReason = 'consent';
      // Told by another tab: that tab deletes the database; a second deletion here could come after it had been
      // granted again there, and delete what it stored since.
      await forget(!broadcast);
    }
  }

  // ---- public object -------------------------------------------------------------------------------------------

  /** With consent, the stored profile (earlier pages) is read first, unless that takes too long. */
  const profileRead = () => consent.state === 'granted' && Promise.race([openStore(), new Promise((r) => setTimeout(r, PROFILE_WAIT_MS))]);

  const recommender = () => part(() => recommenderP, (p) => (recommenderP = p), () => parts.infer().then((m) => m.createRecommender(host)));

  async function recommend(options?: unknown): Promise<Recommendations> {
    await profileRead();
    const rec = await recommender();
    const r = await rec.recommend(options, current(), pageItem);
    backend = r.backend;
    return r;
  }

  /** Runs one of the other tasks on the worker the recommender uses. */
  const task = async <R>(run: (t: TaskAnswers) => Promise<R>): Promise<R> => {
    await profileRead();
    return run(await part(() => tasksP, (p) => (tasksP = p), () => parts.infer().then((m) => m.createTasks(host))));
  };

  const privacy = () => part(() => privacyP, (p) => (privacyP = p), () => parts.privacy().then((m) => m.createPrivacy(host)));

  function on(name: unknown, handler: unknown): () => void {
    if (!EVENT_TYPES.includes(name as string) || typeof handler !== 'function') {
      log.debug('on(): expects one of ' + EVENT_TYPES + ' and a function');
      return () => {};
    }
    const set = (handlers[name as string] ??= new Set());
    set.add(handler as (p: unknown) => void);
    // 'ready' has happened already: tell a late subscriber too.
    if (name === 'ready' && ready) queueMicrotask(() => safe<[], unknown>(log, 'ready handler', handler as () => unknown, 0)());
    return () => void set.delete(handler as (p: unknown) => void);
  }

  const host: Host = {
    config,
    log,
    now,
    random: deps.random,
    fetch: fetchFn,
    nav,
    win: env,
    allowed,
    store: openStore,
    flush,
    profileOf: (events) => applyEvents(emptyProfile(events[0]?.ts ?? now()), events, uuid),
    debug: () => api.debug,
    onReport(s) {
      lastReport = s;
      if (s.status === 'queued') budget = { day: s.period, spent: DAILY_EPSILON_BUDGET - budgetLeft(budget, s.period, DAILY_EPSILON_BUDGET) + REPORT_EPSILON };
      emit('report', s);
    },
    recommend: (o) => api.recommend(o),
    track: (n, p) => ingest(n, p, 'dom'),
    reporter,
  };

  const api: Edgewise = {
    version: SDK_VERSION,
    track: safe(log, 'track', (name: unknown, params?: unknown) => ingest(name, params, 'api'), false) as Edgewise['track'],
    recommend: safeAsync(log, 'recommend', recommend, () => ({ items: [], source: 'none', backend: null })),
    intent: safeAsync(log, 'intent', () => task((t) => t.intent(current())), () => null),
    understand: safeAsync(log, 'understand', (text: unknown) => task((t) => t.understand(text)), () => null),
    segment: safeAsync(log, 'segment', () => task((t) => t.segment(current())), () => null),
    consent: {
      set: safeAsync(
        log,
        'consent.set',
        async (state: unknown) => {
          const s = parseConsent(state);
          if (s) await setConsent(s, true);
          else log.debug('consent.set: expects "granted" or "denied"');
        },
        () => undefined,
      ),
      get: () => consent.state,
    },
    privacy: {
      inventory: safeAsync(log, 'privacy.inventory', async () => (await privacy()).inventory(), () => null as unknown as Inventory),
      export: safeAsync(log, 'privacy.export', async () => (await privacy()).export(), () => null as unknown as ExportData),
      // Every open tab lets go of the shopper's data too, or one would write its copy back into the new database.
      forget: safeAsync(log, 'privacy.forget', () => (channel?.postMessage({ forget: 1 }), forget()), () => false),
    },
    on: safe(log, 'on', on, () => {}) as Edgewise['on'],
    get debug(): DebugInfo {
      return {
        version: SDK_VERSION,
        site: config.site,
        consent: consent.state,
        consentSource: consent.source,
        storage: consent.state === 'granted' && store?.kind === 'indexeddb' ? 'indexeddb' : 'memory',
        storageReason,
        backend,
        automation: automation ?? undefined,
        pendingEvents: pending.length,
        lastReport,
        log: log.entries(),
      };
    },
  };

  function start(): void {
    // page_view is ours (one per page, with its kind); gtm.* and custom names are not ecommerce and are ignored.
    let hooked: unknown;
    // A page's `dataLayer` getter may throw: never into the page.
    const hook = safe(log, 'dataLayer', () => {
      if (env.dataLayer === hooked && hooked) return;
      replaying = true;
      if (!hookDataLayer(env, (name, params) => name !== 'page_view' && ingest(name, params, 'datalayer'))) log.warn('window.dataLayer is not an array, or frozen');
      replaying = false;
      hooked = env.dataLayer;
    });
    hook();
    if (doc) {
      // A page script after the tag may assign `dataLayer = [...]` (GTM's classic snippet does): hook that array.
      doc.addEventListener('DOMContentLoaded', hook);
      // A single-page app's navigation starts a new page, whichever event comes first from it.
      watchPage(env, ingest, now, log, newPage);
      defineElement(env, (el) => {
        // The widget will ask for recommendations: the worker loads its models while the widget's code and the
        // stored profile load, instead of after them. (Starting the worker from this file as well measured no
        // faster on 2 cores: its boot then competes with the page's own start.)
        if (!recommenderP) recommender().then((r) => r.prepare(), () => undefined);
        return parts.ui().then(
          (m) => m.mount(el, host),
          (e) => {
            el.dataset.state = 'error';
            log.warn('widget part: ' + describe(e));
          },
        );
      });
      doc.addEventListener('visibilitychange', () => doc.hidden && flush(true));
    }
    // The page may be going away: write what is pending now rather than at the next idle period. Chromium drops
    // IndexedDB writes started in `pagehide` on a navigation but keeps those started in `beforeunload` (measured
    // with Chromium 156), so both: beforeunload for navigations, pagehide for closing and the back/forward cache.
    const urgent = () => void flush(true);
    env.addEventListener?.('beforeunload', urgent);
    env.addEventListener?.('pagehide', urgent);
    if (channel)
      channel.onmessage = (m: MessageEvent) => {
        const d = isPlainObject(m.data) && m.data;
        const s = parseConsent(d && d.consent);
        if (s && s !== consent.state) void setConsent(s, false).catch(() => {});
        if (d && d.forget) void forget(true);
      };
    if (consent.state === 'granted') void openStore();
    // Denied from the start (GPC, tag): delete what an earlier visit may have stored (a no-op when nothing is).
    else if (consent.state === 'denied') void forget();
    ready = true;
    emit('ready', undefined);
  }

  return { api, start: safe(log, 'start', start, undefined), log };
}
