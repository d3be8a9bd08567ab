import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The dashboard, assembled once: one HTML document with its style and script inline, and the CSP that pins them. */
export interface DashboardPage {
  html: string;
  contentSecurityPolicy: string;
}

const read = (name: string) => readFileSync(new URL(name, import.meta.url), 'utf8');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Builds the page for these site keys. Nothing external is loaded; the policy allows exactly the inline style and
 * script by hash, `fetch` to this origin, and `data:` images (the favicon).
 */
export function renderDashboard(sites: readonly string[]): DashboardPage {
  const style = read('./page.css');
  const script = read('./page.js');
  // JSON inside <script>: escape "<" so a site key can never close the element.
  const config = JSON.stringify({ sites }).replace(/</g, '\\u003c');
  const html = read('./page.html')
    .replace('/*STYLE*/', () => style)
    .replace('/*CONFIG*/', () => config)
    .replace('/*SCRIPT*/', () => script);
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
