import { ERROR_CODES, REPORT_MAX_BYTES, REPORT_SCHEMA_VERSION, Report, ReportBatch } from '@edgewise/protocol';
import { ProblemError } from '../problem.ts';

/**
 * The body schema of `POST /v1/reports`: a batch when the body has `reports`, else one report. `if/then/else`
 * rather than `anyOf`, so a bad batch is reported against the batch schema, not against both.
 */
export const ReportBody = { if: { type: 'object', required: ['reports'] }, then: ReportBatch, else: Report } as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The reports in a parsed body, whether one report or a batch; shape not yet checked. */
export function reportsOf(body: unknown): unknown[] {
  return isObject(body) && Array.isArray(body.reports) ? body.reports : [body];
}

/**
 * Checks run before the schema: an unknown `schemaVersion` gets its own code, so a newer SDK learns the server is
 * older instead of reading a list of schema errors; and a lone report is held to {@link REPORT_MAX_BYTES}.
 */
export function precheck(body: unknown, bodyBytes: number): void {
  const reports = reportsOf(body);
  reports.forEach((r, i) => {
    if (isObject(r) && 'schemaVersion' in r && r.schemaVersion !== REPORT_SCHEMA_VERSION) {
      const where = body !== r ? `reports/${i}: ` : '';
      throw new ProblemError(
        ERROR_CODES.UNKNOWN_SCHEMA_VERSION,
        400,
        `${where}schemaVersion ${JSON.stringify(r.schemaVersion)} is not supported; this server accepts ${REPORT_SCHEMA_VERSION}.`,
      );
    }
  });
  if (!(isObject(body) && 'reports' in body) && bodyBytes > REPORT_MAX_BYTES) {
    throw new ProblemError(ERROR_CODES.BODY_TOO_LARGE, 413, `A single report may be at most ${REPORT_MAX_BYTES} bytes; this one is ${bodyBytes}.`);
  }
}

/** True for a real calendar day `YYYY-MM-DD` (the schema only checks the shape). */
function isCalendarDay(period: string): boolean {
  const t = Date.parse(`${period}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === period;
}

/** Checks the schema cannot express. Throws 422 `EW_SCHEMA` naming the first offending report. */
export function checkSemantics(reports: readonly Report[], batch: boolean): void {
  reports.forEach((r, i) => {
    const where = batch ? `reports/${i}: ` : '';
    if (r.bits.length !== r.buckets.length) {
      throw new ProblemError(ERROR_CODES.SCHEMA, 422, `${where}bits has ${r.bits.length} entries but buckets has ${r.buckets.length}; they must match.`);
    }
    if (!isCalendarDay(r.period)) {
      throw new ProblemError(ERROR_CODES.SCHEMA, 422, `${where}period ${r.period} is not a calendar day.`);
    }
  });
}
