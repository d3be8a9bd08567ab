/**
 * Values of `packages/protocol/src/reports.ts`, restated so that the browser bundle does not pull in TypeBox
 * (that module builds its JSON schemas at import time). `report-limits.test.ts` pins them to the protocol's.
 */
export const REPORT_SCHEMA_VERSION = 1;
export const HISTOGRAM_MAX_BUCKETS = 64;
