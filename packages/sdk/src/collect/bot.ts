import { BOT_RATE_MAX_EVENTS, BOT_RATE_WINDOW_MS } from '../shared/constants.ts';

/**
 * Automation and bot traffic is flagged on the device and kept out of the profile, storage and reports; the page
 * itself is never affected. Our own browser tests opt in with `data-allow-automation` on the tag (or
 * `window.edgewiseAllowAutomation = true` before the script runs).
 */

// `[^u]bot`: Googlebot, bingbot, YandexBot, ..., but not the phones of the Cubot brand.
const BOT_UA = /headless|phantomjs|electron|[^u]bot\b|crawler|spider|slurp|lighthouse|pagespeed|prerender/i;

/** Why this browser looks automated, or null. */
export function automationReason(nav: { webdriver?: boolean; userAgent?: string } | undefined): string | null {
  if (nav?.webdriver === true) return 'webdriver';
  return BOT_UA.test(nav?.userAgent ?? '') ? 'user-agent' : null;
}

/** Flags event rates no person produces: more than {@link BOT_RATE_MAX_EVENTS} events in one window. */
export function rateFlagger(max = BOT_RATE_MAX_EVENTS, windowMs = BOT_RATE_WINDOW_MS): (now: number) => boolean {
  let start = -Infinity;
  let n = 0;
  return (now) => {
    if (now - start >= windowMs) {
      start = now;
      n = 0;
    }
    return ++n > max;
  };
}
