/** Flags every Chromium launch needs on these machines. */
export declare const CHROMIUM_ARGS: string[];
/** Path of the Chromium binary for tests and benchmarks (CHROMIUM_PATH overrides). */
export declare function findChromium(): string;
