import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { csvRecords } from './csv.ts';

/**
 * Bitext's official customer-support intent set (27 intents), with Bitext's own train / validation / test files.
 * Each utterance keeps its annotated entity (order id, invoice id, refund amount, ...) for the extraction check.
 */

export interface Utterance {
  text: string;
  intent: string;
  entity?: { type: string; value: string; start: number; end: number };
}

export interface BitextSplits {
  train: Utterance[];
  valid: Utterance[];
  test: Utterance[];
  bad: number;
}

export const BITEXT_FILES = {
  train: 'Bitext_Sample_Customer_Service_Training_Dataset.csv.gz',
  valid: 'Bitext_Sample_Customer_Service_Validation_Dataset.csv.gz',
  test: 'Bitext_Sample_Customer_Service_Testing_Dataset.csv.gz',
} as const;

export function parseBitext(text: string): { rows: Utterance[]; bad: number } {
  const { records, bad } = csvRecords(text);
  let skipped = bad;
  const rows: Utterance[] = [];
  for (const r of records) {
    const utterance = r.utterance, intent = r.intent;
    if (!utterance || !intent) {
      skipped++;
      continue;
    }
    const start = Number(r.start_offset), end = Number(r.end_offset);
    const hasEntity = r.entity_type && Number.isInteger(start) && Number.isInteger(end) && r.start_offset !== '' && end > start;
    rows.push({ text: utterance, intent, ...(hasEntity ? { entity: { type: r.entity_type!, value: r.entity_value ?? '', start, end } } : {}) });
  }
  return { rows, bad: skipped };
}

/** Reads the three official files from `dir` (the `official-8k` folder, or the data set folder holding it). */
export async function loadBitext(dir: string): Promise<BitextSplits> {
  const read = async (name: string) => {
    for (const d of [dir, join(dir, 'official-8k')]) {
      try {
        return parseBitext(gunzipSync(await readFile(join(d, name))).toString('utf8'));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    throw new Error(`${name} not found in ${dir} or ${join(dir, 'official-8k')}`);
  };
  const [train, valid, test] = await Promise.all([read(BITEXT_FILES.train), read(BITEXT_FILES.valid), read(BITEXT_FILES.test)]);
  return { train: train.rows, valid: valid.rows, test: test.rows, bad: train.bad + valid.bad + test.bad };
}

export const BITEXT_20K_FILE = 'kaggle-20k-sample/TrainingdatasetBitextsample.csv.gz';

/**
 * Bitext's older 20K sample (`flags,utterance,category,intent`, UTF-8 BOM; `check_invoices` spelled with an s), as
 * a second, cross-set test: utterances whose normalized text equals one in `exclude` (the official files) are
 * dropped, since both sets come from the same generator.
 */
export async function loadBitext20k(dir: string, exclude: Iterable<string>, normalize: (t: string) => string): Promise<{ rows: Utterance[]; duplicates: number; bad: number }> {
  const { records, bad } = csvRecords(gunzipSync(await readFile(join(dir, BITEXT_20K_FILE))).toString('utf8'));
  const seen = new Set<string>();
  for (const t of exclude) seen.add(normalize(t));
  const rows: Utterance[] = [];
  let duplicates = 0;
  let skipped = bad;
  for (const r of records) {
    if (!r.utterance || !r.intent) {
      skipped++;
      continue;
    }
    const key = normalize(r.utterance);
    if (seen.has(key)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    rows.push({ text: r.utterance, intent: r.intent === 'check_invoices' ? 'check_invoice' : r.intent });
  }
  return { rows, duplicates, bad: skipped };
}
