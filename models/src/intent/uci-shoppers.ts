import { readLines, type LineSource } from '../data/read-lines.ts';

/**
 * Loader for the UCI Online Shoppers Purchasing Intention data (one aggregated session per row, label `Revenue`).
 * Durations of −1 in the original file mean "not measured"; they are read as 0 and flagged, never as negative time.
 */

export type VisitorType = 'returning' | 'new' | 'other';

export interface ShopperSession {
  administrative: number;
  administrativeDuration: number;
  informational: number;
  informationalDuration: number;
  productRelated: number;
  productRelatedDuration: number;
  /** True when the file had −1 in a duration column (durations read as 0). */
  durationMissing: boolean;
  bounceRates: number;
  exitRates: number;
  pageValues: number;
  specialDay: number;
  /** 0 = January … 11 = December. */
  month: number;
  operatingSystems: number;
  browser: number;
  region: number;
  trafficType: number;
  visitorType: VisitorType;
  weekend: boolean;
  revenue: boolean;
}

const HEADER = 'Administrative,Administrative_Duration,Informational,Informational_Duration,ProductRelated,ProductRelated_Duration,BounceRates,ExitRates,PageValues,SpecialDay,Month,OperatingSystems,Browser,Region,TrafficType,VisitorType,Weekend,Revenue';

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, june: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const VISITORS: Record<string, VisitorType> = { Returning_Visitor: 'returning', New_Visitor: 'new', Other: 'other' };

function bool(v: string): boolean | null {
  if (v === 'TRUE') return true;
  if (v === 'FALSE') return false;
  return null;
}

/** Parses one data row; null when any field is malformed. */
export function parseShopperRow(line: string): ShopperSession | null {
  const f = line.split(',');
  if (f.length !== 18) return null;
  const num = f.slice(0, 10).map(Number);
  if (num.some((v) => !Number.isFinite(v))) return null;
  const ints = f.slice(11, 15).map(Number);
  if (ints.some((v) => !Number.isInteger(v))) return null;
  const month = MONTHS[f[10]!.toLowerCase()];
  const visitorType = VISITORS[f[15]!];
  const weekend = bool(f[16]!);
  const revenue = bool(f[17]!);
  if (month === undefined || !visitorType || weekend === null || revenue === null) return null;
  const [a, ad, i, id, p, pd, br, er, pv, sd] = num as [number, number, number, number, number, number, number, number, number, number];
  const missing = ad < 0 || id < 0 || pd < 0;
  return {
    administrative: a,
    administrativeDuration: Math.max(0, ad),
    informational: i,
    informationalDuration: Math.max(0, id),
    productRelated: p,
    productRelatedDuration: Math.max(0, pd),
    durationMissing: missing,
    bounceRates: br,
    exitRates: er,
    pageValues: pv,
    specialDay: sd,
    month,
    operatingSystems: ints[0]!,
    browser: ints[1]!,
    region: ints[2]!,
    trafficType: ints[3]!,
    visitorType,
    weekend,
    revenue,
  };
}

export interface LoadedShoppers {
  sessions: ShopperSession[];
  badLines: number;
}

export async function parseShoppers(lines: LineSource): Promise<LoadedShoppers> {
  const sessions: ShopperSession[] = [];
  let badLines = 0;
  let first = true;
  for await (const raw of lines) {
    const line = raw.replace(/^\uFEFF/, '').trim();
    if (first) {
      first = false;
      if (line !== HEADER) throw new Error(`not the UCI online shoppers layout; header is ${JSON.stringify(line.slice(0, 80))}`);
      continue;
    }
    if (!line) continue;
    const s = parseShopperRow(line);
    if (s) sessions.push(s);
    else badLines++;
  }
  return { sessions, badLines };
}

/** Reads `online_shoppers_intention.csv[.gz]`, or the folder holding it. */
export async function loadShoppers(path: string): Promise<LoadedShoppers> {
  const file = /\.csv(\.gz)?$/.test(path) ? path : `${path.replace(/\/$/, '')}/online_shoppers_intention.csv.gz`;
  return parseShoppers(readLines(file));
}
