import { test, expect, SHOP, readEdgewiseDb, aggregates, newShopper } from './fixtures.ts';
import type { Page } from '@playwright/test';

// The shopper's journey through the demo shop, with the real SDK bundle, worker, IndexedDB and ingestion server.

async function recommendedIds(page: Page): Promise<string[]> {
  const widget = page.locator('edgewise-recommendations').first();
  await expect(widget).toHaveAttribute('data-state', 'ready');
  return widget.evaluate((el) =>
    Array.from(el.shadowRoot?.querySelectorAll('[data-item-id]') ?? []).map((n) => (n as HTMLElement).dataset.itemId!),
  );
}

async function categoryOf(page: Page, itemId: string): Promise<string> {
  const res = await page.request.get(`${SHOP}/edgewise/models/recommend/items.json`);
  const items: Array<{ id: string; category: string }> = await res.json();
  return items.find((i) => i.id === itemId)?.category ?? 'unknown';
}

/**
 * Opens a product page the way a shopper does: the page is looked at until its recommendations are on screen,
 * rather than left the instant it fires `load` (which no person does, and which can leave before the SDK has even
 * opened its database).
 */
async function viewProduct(page: Page, href: string): Promise<void> {
  await page.goto(`${SHOP}${href}`);
  await expect(page.locator('edgewise-recommendations').first()).toHaveAttribute('data-state', /ready|empty|error/);
}

async function productLinksIn(page: Page, categoryId: string, n: number): Promise<string[]> {
  await page.goto(`${SHOP}/category/${categoryId}`);
  const hrefs = await page.locator('a[href^="/product/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  return [...new Set(hrefs)].slice(0, n);
}

test('home → category → product → cart → purchase: recommendations follow what was viewed, the report arrives', async ({ page, network }) => {
  await page.goto(`${SHOP}/?consent=granted`);
  await expect(page.locator('body')).toBeVisible();
  const firstCategory = await page.locator('a[href^="/category/"]').first().getAttribute('href');
  expect(firstCategory).toBeTruthy();
  const categoryId = firstCategory!.split('/').pop()!;

  const products = await productLinksIn(page, categoryId, 3);
  expect(products.length).toBe(3);
  for (const href of products) await viewProduct(page, href);

  const ids = await recommendedIds(page);
  expect(ids.length).toBeGreaterThan(0);
  const onScreen = products.at(-1)!.split('/').pop()!;
  expect(ids).not.toContain(onScreen);
  const categories = await Promise.all(ids.map((id) => categoryOf(page, id)));
  const share = categories.filter((c) => c === categoryId).length / ids.length;
  expect(share, `recommendations ${ids.join(',')} in ${categories.join(',')}`).toBeGreaterThanOrEqual(0.5);

  await page.getByRole('button', { name: /add to cart/i }).first().click();
  await page.goto(`${SHOP}/cart`);
  await page.goto(`${SHOP}/checkout`);
  await page.getByRole('button', { name: /place order|pay|buy/i }).first().click();
  await page.waitForURL(/thank-you/);

  // The thank-you page's purchase is written with the page's next flush: wait for it, not for any five events.
  const names = async () => ((await readEdgewiseDb(page)).stores.events as Array<{ name: string }> | undefined ?? []).map((e) => e.name);
  await expect.poll(names).toContain('purchase');
  for (const expected of ['page_view', 'view_item', 'add_to_cart']) expect(await names()).toContain(expected);

  await expect.poll(async () => (await aggregates()).body.aggregates?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  const { body } = await aggregates();
  expect(body.aggregates[0].kind).toBe('category_interest');
  expect(body.aggregates[0].reports).toBeGreaterThanOrEqual(1);
  expect(network.some((r) => r.method === 'POST' && r.url.endsWith('/v1/reports'))).toBe(true);
});

test('two shoppers on the same product page get recommendations shaped by their own history', async ({ browser }) => {
  const histories: Record<string, string[]> = {};
  const home = await browser.newPage();
  await home.goto(`${SHOP}/?consent=granted`);
  const categoryLinks = await home.locator('a[href^="/category/"]').evaluateAll((as) => [...new Set(as.map((a) => a.getAttribute('href')!.split('/').pop()!))]);
  await home.context().close();
  expect(categoryLinks.length).toBeGreaterThanOrEqual(3);
  const [catA, catB, catTarget] = categoryLinks as [string, string, string];

  for (const cat of [catA, catB]) {
    const context = await newShopper(browser);
    const page = await context.newPage();
    await page.goto(`${SHOP}/?consent=granted`);
    for (const href of await productLinksIn(page, cat, 4)) await viewProduct(page, href);
    const target = (await productLinksIn(page, catTarget, 1))[0]!;
    await page.goto(`${SHOP}${target}`);
    histories[cat] = await recommendedIds(page);
    const cats = await Promise.all(histories[cat]!.map((id) => categoryOf(page, id)));
    expect(cats.filter((c) => c === cat).length, `${cat}: ${cats.join(',')}`).toBeGreaterThan(0);
    await context.close();
  }
  expect(histories[catA]).not.toEqual(histories[catB]);
});

test('with consent denied nothing is stored and nothing is sent', async ({ page, network }) => {
  await page.goto(`${SHOP}/?consent=denied`);
  const cat = (await page.locator('a[href^="/category/"]').first().getAttribute('href'))!;
  await page.goto(`${SHOP}${cat}`);
  const product = (await page.locator('a[href^="/product/"]').first().getAttribute('href'))!;
  await page.goto(`${SHOP}${product}`);
  await page.getByRole('button', { name: /add to cart/i }).first().click();
  await page.goto(`${SHOP}/checkout`);
  await page.getByRole('button', { name: /place order|pay|buy/i }).first().click();
  await page.waitForURL(/thank-you/);
  await page.waitForTimeout(1500); // give an SDK that wrongly sends the chance to be caught
  expect((await readEdgewiseDb(page)).exists).toBe(false);
  expect(network.filter((r) => new URL(r.url).pathname.startsWith('/v1/'))).toEqual([]);
  expect(await page.evaluate(() => (window as any).edgewise?.debug?.consent)).toBe('denied');
});

test('junk given to every public call never throws into the page', async ({ page, network }) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${SHOP}/?consent=granted`);
  await page.waitForFunction(() => typeof (window as any).edgewise?.track === 'function');
  const outcome = await page.evaluate(async () => {
    const ew = (window as any).edgewise;
    const cyclic: any = { items: [] };
    cyclic.items.push(cyclic);
    cyclic.self = cyclic;
    const huge = 'x'.repeat(5_000_000);
    const junk: unknown[] = [undefined, null, 42, 'view_item', huge, cyclic, [1, 2, 3], () => 1, Symbol('s'), new Date(), { __proto__: { evil: 1 } }, new Proxy({}, { get() { throw new Error('trap'); } })];
    const results: string[] = [];
    const attempt = async (label: string, fn: () => unknown) => {
      try {
        const r = fn();
        if (r && typeof (r as Promise<unknown>).then === 'function') await r;
        results.push(`${label}:ok`);
      } catch (e) {
        results.push(`${label}:threw ${(e as Error)?.message}`);
      }
    };
    for (const a of junk) {
      for (const b of junk) await attempt('track', () => ew.track(a, b));
      await attempt('recommend', () => ew.recommend(a));
      await attempt('understand', () => ew.understand(a));
      await attempt('intent', () => ew.intent(a));
      await attempt('segment', () => ew.segment(a));
      await attempt('consent.set', () => ew.consent.set(a));
      await attempt('on', () => ew.on(a, (b: unknown) => b));
    }
    await attempt('track unknown', () => ew.track('definitely_not_ga4', { items: [{ item_id: huge }] }));
    return results.filter((r) => !r.endsWith(':ok'));
  });
  expect(outcome).toEqual([]);
  expect(pageErrors).toEqual([]);
  expect(network.length).toBeGreaterThan(0);
});

test('intent(), understand() and segment() answer on the device from the shop’s models; the text never leaves the page', async ({ page, network }) => {
  const secret = 'Where is my order #12345?';
  await page.goto(`${SHOP}/?consent=granted`);
  const [href] = await productLinksIn(page, (await page.locator('a[href^="/category/"]').first().getAttribute('href'))!.split('/').pop()!, 1);
  await viewProduct(page, href!);
  await page.getByRole('button', { name: /add to cart/i }).first().click();
  const answers = await page.evaluate(async (text) => {
    const ew = (window as any).edgewise;
    return { intent: await ew.intent(), understood: await ew.understand(text), segment: await ew.segment(), notText: await ew.understand(42) };
  }, secret);
  expect(answers.intent.purchase).toBeGreaterThanOrEqual(0);
  expect(answers.intent.purchase).toBeLessThanOrEqual(1);
  expect(answers.intent.modelVersion).toEqual(expect.any(String));
  expect(answers.understood.intent).toBe('track_order');
  expect(answers.understood.entities).toEqual([expect.objectContaining({ type: 'order_number', value: '12345', refersTo: 'order' })]);
  expect(answers.segment).toEqual(expect.objectContaining({ segment: expect.any(String), label: expect.any(String) }));
  expect(answers.notText).toBeNull();
  // What was typed stays on the device: no request carries it (the network fixture also audits every request).
  expect(network.filter((r) => (r.body ?? '').includes('12345') || r.url.includes('12345'))).toEqual([]);
});

test('the help page understands a question on the device and links to the answer', async ({ page, network }) => {
  await page.goto(`${SHOP}/help?consent=granted`);
  await page.waitForFunction(() => typeof (window as any).edgewise?.understand === 'function');
  await page.getByLabel('Your question').fill('i want to cancel order 4587');
  await page.getByRole('button', { name: 'Ask' }).click();
  await expect(page.locator('[data-help-intent]')).toHaveText('cancel order');
  await expect(page.locator('[data-help-entities]')).toContainText('order number: 4587');
  await expect(page.getByRole('link', { name: /cancel an order/i })).toBeVisible();
  await page.screenshot({ path: 'test-results/help-page.png' });
  expect(network.filter((r) => (r.body ?? '').includes('4587') || r.url.includes('4587'))).toEqual([]);
});
