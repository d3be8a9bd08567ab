export declare function percentile(samples: number[], p: number): number;
export declare function median(samples: number[]): number;
export declare function machine(): { cores: number; cpu: string; memGiB: number; node: string; chromium: string };
