import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.ts';

const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

describe('GET /dashboard', () => {
  it('serves one self-contained HTML page under a strict CSP', async () => {
    const t = await testApp();
    const res = await t.app.inject({ method: 'GET', url: '/dashboard' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');

    // Nothing external: no src/href to another host, no @import, no CDN.
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);

    // The inline script and style are exactly the ones the policy pins.
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`script-src ${hash(scripts[0]!)}`);
    expect(csp).toContain(`style-src ${hash(styles[0]!)}`);
    expect(scripts[0]).toContain('/v1/sites/');

    const config = JSON.parse(/<script type="application\/json" id="ew-config">([\s\S]*?)<\/script>/.exec(html)![1]!);
    expect(config).toEqual({ sites: ['demo-shop', 'other-shop'] });
    expect(html).not.toContain('test-admin-token');
    await t.close();
  });
});
