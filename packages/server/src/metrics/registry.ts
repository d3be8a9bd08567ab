/** Latency quantiles are computed over this many most recent requests per route. */
const LATENCY_WINDOW = 1024;
const QUANTILES = [0.5, 0.9, 0.99];

interface Latency {
  count: number;
  sum: number;
  recent: number[];
  next: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labels = (pairs: Record<string, string | number>) =>
  `{${Object.entries(pairs).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`).join(',')}}`;

/**
 * The server's counters, rendered in the Prometheus text format (0.0.4). Label values come from the route table
 * and the error-code list only, so the number of series stays bounded whatever clients send.
 */
export class Metrics {
  reportsAccepted = 0;
  reportsDuplicate = 0;
  readonly #rejected = new Map<string, number>();
  readonly #requests = new Map<string, number>();
  readonly #latency = new Map<string, Latency>();

  /** One refused `POST /v1/reports`, by error code (a refused batch counts once). */
  rejected(code: string): void {
    this.#rejected.set(code, (this.#rejected.get(code) ?? 0) + 1);
  }

  /** One finished request. `route` is the route pattern (`/v1/sites/:site/aggregates`), never the raw URL. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const reqKey = JSON.stringify([method, route, status]);
    this.#requests.set(reqKey, (this.#requests.get(reqKey) ?? 0) + 1);
    const latKey = JSON.stringify([method, route]);
    let l = this.#latency.get(latKey);
    if (!l) {
      l = { count: 0, sum: 0, recent: [], next: 0 };
      this.#latency.set(latKey, l);
    }
    l.count += 1;
    l.sum += seconds;
    if (l.recent.length < LATENCY_WINDOW) l.recent.push(seconds);
    else l.recent[l.next] = seconds;
    l.next = (l.next + 1) % LATENCY_WINDOW;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP edgewise_reports_accepted_total Reports stored.');
    out.push('# TYPE edgewise_reports_accepted_total counter');
    out.push(`edgewise_reports_accepted_total ${this.reportsAccepted}`);
    out.push('# HELP edgewise_reports_duplicate_total Reports acknowledged again under an id already stored (retries).');
    out.push('# TYPE edgewise_reports_duplicate_total counter');
    out.push(`edgewise_reports_duplicate_total ${this.reportsDuplicate}`);
    out.push('# HELP edgewise_report_posts_rejected_total POST /v1/reports requests refused, by error code; a refused batch counts once.');
    out.push('# TYPE edgewise_report_posts_rejected_total counter');
    for (const [code, n] of [...this.#rejected].sort()) out.push(`edgewise_report_posts_rejected_total${labels({ code })} ${n}`);
    out.push('# HELP edgewise_http_requests_total HTTP requests answered, by route and status.');
    out.push('# TYPE edgewise_http_requests_total counter');
    for (const [key, n] of [...this.#requests].sort()) {
      const [method, route, status] = JSON.parse(key) as [string, string, number];
      out.push(`edgewise_http_requests_total${labels({ method, route, status })} ${n}`);
    }
    out.push(`# HELP edgewise_http_request_duration_seconds Request latency; quantiles over the last ${LATENCY_WINDOW} requests per route.`);
    out.push('# TYPE edgewise_http_request_duration_seconds summary');
    for (const [key, l] of [...this.#latency].sort()) {
      const [method, route] = JSON.parse(key) as [string, string];
      const sorted = [...l.recent].sort((a, b) => a - b);
      for (const q of QUANTILES) {
        const v = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
        out.push(`edgewise_http_request_duration_seconds${labels({ method, route, quantile: q })} ${v}`);
      }
      out.push(`edgewise_http_request_duration_seconds_sum${labels({ method, route })} ${l.sum}`);
      out.push(`edgewise_http_request_duration_seconds_count${labels({ method, route })} ${l.count}`);
    }
    return `${out.join('\n')}\n`;
  }
}
