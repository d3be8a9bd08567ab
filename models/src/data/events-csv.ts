import type { LineSource } from './read-lines.ts';

/**
 * The generic events CSV a merchant can export from any shop: one interaction per row with a session or user id,
 * a timestamp (ISO 8601 or epoch seconds / milliseconds), an event type, an item id, and optionally a category and
 * a price. Rows are grouped per id, sorted by time and cut into sessions wherever two events are more than an hour
 * apart. Rows that cannot be read are counted and skipped, never fatal.
 */

/** Inactivity that ends a session: the usual web-analytics convention (and the spec), in milliseconds. */
export const SESSION_GAP_MS = 60 * 60 * 1000;

export interface EventsCsvOptions {
  /** Inactivity gap that starts a new session; default one hour. */
  gapMs?: number;
  /** Only these event types become interactions (case-insensitive); default all. */
  eventTypes?: readonly string[];
  /** Merge an item that repeats the previous one in the same session (a view followed by its add-to-cart); the later event type is kept. */
  collapseRepeats?: boolean;
  /** Keep at most this many bad-row examples for the report. */
  maxBadExamples?: number;
}

export interface EventSession {
  /** The row's session or user id. */
  key: string;
  /** Epoch milliseconds of the first event. */
  start: number;
  /** Dense item ids (1..numItems), chronological. */
  items: Int32Array;
  /** Event type of each position, as an index into `eventTypes`. */
  types: Uint8Array;
}

export interface EventsCsvData {
  sessions: EventSession[];
  /** Dense id → external item id; index 0 is the padding id and holds ''. */
  itemIds: string[];
  /** Dense id → last category seen for the item ('' when none). */
  itemCategory: string[];
  /** Dense id → last price seen (NaN when none). */
  itemPrice: Float64Array;
  eventTypes: string[];
  stats: EventsCsvStats;
}

export interface EventsCsvStats {
  lines: number;
  rows: number;
  badRows: number;
  badExamples: Array<{ line: number; reason: string }>;
  headerDetected: boolean;
  columns: Record<ColumnRole, number>;
  delimiter: string;
  ids: number;
  sessions: number;
  items: number;
  /** Rows dropped by the event-type filter (not bad, just not used). */
  filteredRows: number;
}

type ColumnRole = 'key' | 'time' | 'type' | 'item' | 'category' | 'price';

const HEADER_NAMES: Record<ColumnRole, readonly string[]> = {
  key: ['session_id', 'sessionid', 'session', 'user_id', 'userid', 'user', 'visitorid', 'visitor_id', 'client_id', 'customer_id'],
  time: ['timestamp', 'time', 'ts', 'event_time', 'eventtime', 'datetime', 'date', 'created_at'],
  type: ['event_type', 'eventtype', 'event', 'type', 'event_name', 'action'],
  item: ['item_id', 'itemid', 'item', 'product_id', 'productid', 'product', 'sku'],
  category: ['category', 'category_id', 'categoryid', 'item_category', 'category_code'],
  price: ['price', 'item_price', 'value', 'amount'],
};
const DEFAULT_ORDER: Record<ColumnRole, number> = { key: 0, time: 1, type: 2, item: 3, category: 4, price: 5 };

/** Splits one CSV record; double quotes may wrap a field and `""` inside quotes is a literal quote. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out;
}

function detectDelimiter(line: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    const n = line.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Parses a timestamp: ISO 8601 text, or a number of epoch seconds, milliseconds or microseconds (told apart by
 * magnitude: seconds stay below 1e11 until the year 5138). Returns epoch milliseconds or NaN.
 */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (t === '') return NaN;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const v = Number(t);
    if (v < 1e11) return v * 1000;
    if (v < 1e14) return v;
    return v / 1000;
  }
  // 'YYYY-MM-DD HH:MM:SS' without a zone is read as UTC, so results do not depend on the machine's zone.
  const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) ? t.replace(' ', 'T') + 'Z' : t;
  return Date.parse(iso);
}

function mapHeader(cells: string[]): Record<ColumnRole, number> | null {
  const norm = cells.map((c) => c.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const cols = {} as Record<ColumnRole, number>;
  for (const role of Object.keys(HEADER_NAMES) as ColumnRole[]) {
    const idx = HEADER_NAMES[role].map((name) => norm.indexOf(name)).find((i) => i >= 0);
    cols[role] = idx ?? -1;
  }
  // A header must at least name the three columns we cannot do without.
  if (cols.key < 0 || cols.item < 0 || cols.time < 0) return null;
  return cols;
}

interface RawEvent {
  time: number;
  seq: number;
  item: number;
  type: number;
}

/** Reads, validates and sessionises an events CSV. */
export async function parseEventsCsv(lines: LineSource, options: EventsCsvOptions = {}): Promise<EventsCsvData> {
  const gapMs = options.gapMs ?? SESSION_GAP_MS;
  const keepTypes = options.eventTypes?.length ? new Set(options.eventTypes.map((t) => t.toLowerCase())) : null;
  const maxBad = options.maxBadExamples ?? 20;
  const stats: EventsCsvStats = {
    lines: 0, rows: 0, badRows: 0, badExamples: [], headerDetected: false, columns: { ...DEFAULT_ORDER }, delimiter: ',',
    ids: 0, sessions: 0, items: 0, filteredRows: 0,
  };
  const itemIndex = new Map<string, number>();
  const itemIds: string[] = [''];
  const itemCategory: string[] = [''];
  const itemPrice: number[] = [NaN];
  const typeIndex = new Map<string, number>();
  const eventTypes: string[] = [];
  const byKey = new Map<string, RawEvent[]>();
  let cols: Record<ColumnRole, number> | null = null;
  let delimiter = ',';
  let seq = 0;

  const bad = (line: number, reason: string) => {
    stats.badRows++;
    if (stats.badExamples.length < maxBad) stats.badExamples.push({ line, reason });
  };

  for await (const line of lines) {
    stats.lines++;
    if (line.trim() === '') continue;
    if (cols === null) {
      delimiter = detectDelimiter(line);
      stats.delimiter = delimiter;
      const header = mapHeader(splitCsvLine(line, delimiter));
      if (header) {
        cols = header;
        stats.headerDetected = true;
        stats.columns = header;
        continue;
      }
      cols = { ...DEFAULT_ORDER };
    }
    const cells = splitCsvLine(line, delimiter);
    const key = cells[cols.key]?.trim() ?? '';
    const item = cells[cols.item]?.trim() ?? '';
    if (!key) {
      bad(stats.lines, 'no session/user id');
      continue;
    }
    if (!item) {
      bad(stats.lines, 'no item id');
      continue;
    }
    const time = parseTimestamp(cells[cols.time] ?? '');
    if (!Number.isFinite(time)) {
      bad(stats.lines, `unreadable timestamp '${(cells[cols.time] ?? '').slice(0, 40)}'`);
      continue;
    }
    const typeName = cols.type >= 0 ? (cells[cols.type]?.trim().toLowerCase() ?? '') : '';
    if (keepTypes && !keepTypes.has(typeName)) {
      stats.filteredRows++;
      continue;
    }
    let priceValue = NaN;
    if (cols.price >= 0 && cells[cols.price] !== undefined && cells[cols.price]!.trim() !== '') {
      priceValue = Number(cells[cols.price]!.trim());
      if (!Number.isFinite(priceValue) || priceValue < 0) {
        bad(stats.lines, `bad price '${cells[cols.price]!.slice(0, 40)}'`);
        continue;
      }
    }
    stats.rows++;
    let id = itemIndex.get(item);
    if (id === undefined) {
      id = itemIds.length;
      itemIndex.set(item, id);
      itemIds.push(item);
      itemCategory.push('');
      itemPrice.push(NaN);
    }
    const category = cols.category >= 0 ? (cells[cols.category]?.trim() ?? '') : '';
    if (category) itemCategory[id] = category;
    if (Number.isFinite(priceValue)) itemPrice[id] = priceValue;
    let type = typeIndex.get(typeName);
    if (type === undefined) {
      type = eventTypes.length;
      typeIndex.set(typeName, type);
      eventTypes.push(typeName);
    }
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push({ time, seq: seq++, item: id, type });
  }

  const sessions: EventSession[] = [];
  for (const [key, events] of byKey) {
    events.sort((a, b) => a.time - b.time || a.seq - b.seq);
    let from = 0;
    for (let i = 1; i <= events.length; i++) {
      if (i === events.length || events[i]!.time - events[i - 1]!.time > gapMs) {
        sessions.push(toSession(key, events.slice(from, i), options.collapseRepeats ?? false));
        from = i;
      }
    }
  }
  sessions.sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  stats.ids = byKey.size;
  stats.sessions = sessions.length;
  stats.items = itemIds.length - 1;
  return { sessions, itemIds, itemCategory, itemPrice: Float64Array.from(itemPrice), eventTypes, stats };
}

function toSession(key: string, events: RawEvent[], collapse: boolean): EventSession {
  const items: number[] = [];
  const types: number[] = [];
  for (const e of events) {
    if (collapse && items.length && items[items.length - 1] === e.item) {
      types[types.length - 1] = e.type;
      continue;
    }
    items.push(e.item);
    types.push(e.type);
  }
  return { key, start: events[0]!.time, items: Int32Array.from(items), types: Uint8Array.from(types) };
}
