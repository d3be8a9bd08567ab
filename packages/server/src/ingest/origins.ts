import type { SiteMap } from '../config.ts';

/**
 * Which origins may send reports, and for which site. A preflight does not carry the body, so it is answered for
 * an origin any site allows; the report's own `site` is checked against that site's list once the body is read.
 */
export class OriginPolicy {
  readonly #bySite: Map<string, Set<string>>;
  readonly #any: Set<string>;

  constructor(sites: SiteMap) {
    this.#bySite = new Map(Object.entries(sites).map(([site, s]) => [site, new Set(s.origins)]));
    this.#any = new Set(Object.values(sites).flatMap((s) => s.origins));
  }

  /** Whether some site lists this `Origin` header value. `null` (opaque origins) never matches. */
  allowsAnySite(origin: string | undefined): origin is string {
    return origin !== undefined && this.#any.has(origin);
  }

  isKnownSite(site: string): boolean {
    return this.#bySite.has(site);
  }

  allows(site: string, origin: string): boolean {
    return this.#bySite.get(site)?.has(origin) ?? false;
  }

  /** Site keys, for the dashboard's picker. */
  sites(): string[] {
    return [...this.#bySite.keys()];
  }
}
