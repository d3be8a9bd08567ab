/**
 * The SDK's configuration, from the script tag's `data-*` attributes or from `createEdgewise()` options.
 */
export interface Config {
  /** Site key sent in reports (`^[A-Za-z0-9_-]{1,64}$`); reports are off without one. */
  site: string | null;
  /** Origin (and optional path) of the ingestion server, no trailing slash; reports are off without one. */
  endpoint: string | null;
  /** Absolute URL of the folder holding the script, its lazy parts, the worker and the wasm files; ends with '/'. */
  assetBaseUrl: string;
  /** Absolute URL of the models folder (`index.json` and model folders); ends with '/'. */
  modelBaseUrl: string;
  /** Echo debug messages to the console. */
  debug: boolean;
  /** Initial consent: 'granted' | 'denied' | anything else = pending. */
  consent: string | null;
  /** 'ignore' to disregard Global Privacy Control; anything else honours it. */
  gpc: string | null;
  /** Keep events from automated browsers (webdriver, headless) instead of flagging them. For tests. */
  allowAutomation: boolean;
}

export type RawConfig = { [K in keyof Config]?: unknown };

/** Validates raw settings against the page URL; what is wrong is described in `problems`. */
export function makeConfig(raw: RawConfig, pageUrl: string, problems: string[]): Config {
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  // A setting with a fallback is a problem only when set wrong; the endpoint has none, so missing is one too.
  const url = (x: unknown, what: string, required?: boolean): string | null => {
    try {
      if (x && /^https?:/.test((x = new URL(x as string, pageUrl).href) as string)) return x as string;
    } catch {}
    if (x || required) problems.push(what + ': no http(s) URL' + (required ? ', reports are off' : ''));
    return null;
  };
  const dir = (x: unknown, what: string, fallback: string) => (url(x, what) ?? fallback).replace(/\/?$/, '/');
  const site = str(raw.site);
  const okSite = site && /^[\w-]{1,64}$/.test(site) ? site : null;
  if (!okSite) problems.push('data-site: missing or invalid, reports are off');
  const assetBaseUrl = dir(raw.assetBaseUrl, 'script src', new URL('/edgewise/', pageUrl).href);
  return {
    site: okSite,
    endpoint: url(raw.endpoint, 'data-endpoint', true)?.replace(/\/+$/, '') ?? null,
    assetBaseUrl,
    modelBaseUrl: dir(raw.modelBaseUrl, 'data-models', assetBaseUrl + 'models/'),
    debug: raw.debug === true,
    consent: str(raw.consent),
    gpc: str(raw.gpc),
    allowAutomation: raw.allowAutomation === true,
  };
}

/** Reads the script tag. A boolean attribute counts when present, unless its value is "false". */
export function tagConfig(script: Element | null, pageUrl: string, allowAutomationGlobal: unknown, problems: string[]): Config {
  const attr = (n: string) => script?.getAttribute('data-' + n);
  const flag = (n: string) => attr(n) != null && attr(n) !== 'false';
  const src = script?.getAttribute('src');
  return makeConfig(
    {
      site: attr('site'),
      endpoint: attr('endpoint'),
      assetBaseUrl: src && new URL('.', new URL(src, pageUrl)).href,
      modelBaseUrl: attr('models'),
      debug: flag('debug'),
      consent: attr('consent'),
      gpc: attr('gpc'),
      allowAutomation: flag('allow-automation') || allowAutomationGlobal === true,
    },
    pageUrl,
    problems,
  );
}
