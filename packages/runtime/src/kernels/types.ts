import type { BackendName } from '@edgewise/protocol';

/** Which rows a scan may return. Applied inside the scan, so no kernel ever returns a filtered-out row. */
export interface ScanFilter {
  /** Rows never to return (the request's exclusions and the shopper's recent items), sorted ascending. */
  readonly excludeRows: Int32Array;
  /** Only rows whose category index equals this; -1 for any. */
  readonly category: number;
}

export interface ScoredRow {
  row: number;
  score: number;
}

/**
 * One way of scoring a query against the whole catalog on one backend, with the catalog resident where the
 * kernel reads it (a tfjs tensor, WASM memory, a GPU buffer). `topK` answers at most k rows, best first.
 */
export interface CatalogScanner {
  readonly backend: BackendName;
  /** Which kernel does the scan, for status and benchmarks, e.g. 'tfjs-matmul'. */
  readonly kernel: string;
  /** Bytes this kernel holds beyond the model's own arrays (its copy of the catalog in WASM memory, GPU buffers, tensors). */
  readonly residentBytes: number;
  /** Threads a scan runs on, when more than one. */
  readonly threads?: number;
  topK(query: Float32Array, k: number, filter: ScanFilter): Promise<ScoredRow[]>;
  dispose(): void;
  /** GPU kernels: destroy the device, as a driver crash would (tests of the fallback path). */
  loseDevice?(): void;
}
