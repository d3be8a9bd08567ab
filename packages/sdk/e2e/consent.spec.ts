import { test, expect, API, pageUrl, openSdk, debugOf, dbExists, trackMarked, storedItemIds, exported, problemsOf } from './fixtures.ts';

// Consent transitions in real Chromium with real IndexedDB: pending stores nothing, a grant takes effect on the
// next call, a denial or revocation deletes what was stored and sends nothing, and Global Privacy Control means
// denied unless the merchant's tag says otherwise, with the inventory saying which applied.

const reportsSent = (network: Array<{ url: string }>) => network.filter((r) => r.url.startsWith(API));

test('pending: events are accepted but nothing touches IndexedDB; a grant writes them on the next call', async ({ page, network }) => {
  const problems = problemsOf(page);
  await openSdk(page, pageUrl());
  expect(await page.evaluate(() => (window as any).edgewise.consent.get())).toBe('pending');
  expect(await trackMarked(page, ['pending-1', 'pending-2'])).toEqual([true, true]);
  // export() runs the SDK's flush: with consent pending it must not open the database.
  const before = await exported(page);
  expect(before.storage).toBe('memory');
  expect(before.ids).toEqual([]);
  expect(await page.evaluate(() => window.__ewOpens)).toEqual([]);
  expect(await dbExists(page)).toBe(false);
  const d = await debugOf(page);
  expect(d).toMatchObject({ consent: 'pending', consentSource: 'default', storage: 'memory', storageReason: 'consent' });
  expect(d.pendingEvents).toBeGreaterThanOrEqual(2);
  expect(reportsSent(network)).toEqual([]);

  await page.evaluate(() => (window as any).edgewise.consent.set('granted'));
  expect(await trackMarked(page, ['granted-1'])).toEqual([true]);
  // Events seen while pending are written with the grant, in the same page life.
  await expect.poll(() => storedItemIds(page).then((ids) => ids.sort())).toEqual(['granted-1', 'pending-1', 'pending-2']);
  expect(await debugOf(page)).toMatchObject({ consent: 'granted', consentSource: 'api', storage: 'indexeddb' });
  expect((await debugOf(page)).storageReason).toBeUndefined();
  expect(await problems()).toEqual([]);
});

test('revoking deletes the database and nothing is stored or sent afterwards', async ({ page, network }) => {
  const problems = problemsOf(page);
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await trackMarked(page, ['kept-1', 'kept-2']);
  await expect.poll(() => storedItemIds(page).then((ids) => ids.sort())).toEqual(['kept-1', 'kept-2']);

  const sentBefore = reportsSent(network).length;
  await page.evaluate(() => (window as any).edgewise.consent.set('denied'));
  expect(await dbExists(page)).toBe(false);
  const opensAtDenial = (await page.evaluate(() => window.__ewOpens)).length;
  expect(await trackMarked(page, ['after-denial'])).toEqual([true]);
  const after = await exported(page);
  expect(after).toMatchObject({ storage: 'memory', ids: [] });
  expect(await dbExists(page)).toBe(false);
  expect((await page.evaluate(() => window.__ewOpens)).length).toBe(opensAtDenial);
  expect(await debugOf(page)).toMatchObject({ consent: 'denied', consentSource: 'api', storage: 'memory', storageReason: 'consent', pendingEvents: 0 });

  // A reload with the denial on the tag stays empty too.
  await openSdk(page, pageUrl({ consent: 'denied' }));
  await trackMarked(page, ['denied-tag']);
  expect((await exported(page)).ids).toEqual([]);
  expect(await dbExists(page)).toBe(false);
  expect(await problems()).toEqual([]);
  expect(reportsSent(network).slice(sentBefore)).toEqual([]);
});

test('privacy.forget() deletes everything stored; a denial in one tab reaches the others', async ({ context, page, network }) => {
  await openSdk(page, pageUrl({ consent: 'granted' }));
  await trackMarked(page, ['forget-me']);
  await expect.poll(() => storedItemIds(page)).toEqual(['forget-me']);
  expect(await page.evaluate(() => (window as any).edgewise.privacy.forget())).toBe(true);
  expect(await dbExists(page)).toBe(false);

  // Two tabs granted; the consent tool denies in one of them: the other stops storing as well.
  const other = await context.newPage();
  await openSdk(other, pageUrl({ consent: 'granted' }));
  await trackMarked(other, ['tab-b']);
  await expect.poll(() => storedItemIds(page)).toEqual(['tab-b']);
  const sentBefore = reportsSent(network).length;
  await page.evaluate(() => (window as any).edgewise.consent.set('denied'));
  await expect.poll(() => other.evaluate(() => (window as any).edgewise.consent.get())).toBe('denied');
  await expect.poll(() => dbExists(other)).toBe(false);
  await trackMarked(other, ['tab-b-after']);
  expect((await exported(other)).ids).toEqual([]);
  expect(await dbExists(other)).toBe(false);
  expect(reportsSent(network).slice(sentBefore)).toEqual([]);
});

test.describe('Global Privacy Control', () => {
  test.beforeEach(async ({ context }) => {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true, configurable: true }));
  });

  test('means denied even when the tag grants: nothing stored or sent, and the inventory says GPC applied', async ({ page, network }) => {
    const problems = problemsOf(page);
    await openSdk(page, pageUrl({ consent: 'granted' }));
    expect(await page.evaluate(() => (navigator as { globalPrivacyControl?: boolean }).globalPrivacyControl)).toBe(true);
    expect(await trackMarked(page, ['gpc-1', 'gpc-2'])).toEqual([true, true]);
    expect(await exported(page)).toMatchObject({ storage: 'memory', ids: [] });
    expect(await page.evaluate(() => window.__ewOpens)).toEqual([]);
    expect(await dbExists(page)).toBe(false);
    expect(await debugOf(page)).toMatchObject({ consent: 'denied', consentSource: 'gpc', storage: 'memory' });
    const inv = await page.evaluate(() => (window as any).edgewise.privacy.inventory());
    expect(inv.consent).toEqual({ state: 'denied', source: 'gpc', globalPrivacyControl: true, gpcHonoured: true });
    expect(inv.storage.kind).toBe('memory');
    expect(inv.storage.counts).toEqual({ events: 0, outbox: 0 });
    expect(await problems()).toEqual([]);
    expect(reportsSent(network)).toEqual([]);
  });

  test('with data-gpc="ignore" the merchant\'s grant applies, and the inventory says GPC was not honoured', async ({ page }) => {
    await openSdk(page, pageUrl({ consent: 'granted', gpc: 'ignore' }));
    await trackMarked(page, ['gpc-ignored']);
    await expect.poll(() => storedItemIds(page)).toEqual(['gpc-ignored']);
    expect(await debugOf(page)).toMatchObject({ consent: 'granted', consentSource: 'tag', storage: 'indexeddb' });
    const inv = await page.evaluate(() => (window as any).edgewise.privacy.inventory());
    expect(inv.consent).toEqual({ state: 'granted', source: 'tag', globalPrivacyControl: true, gpcHonoured: false });
    expect(inv.storage.kind).toBe('indexeddb');
    expect(inv.storage.counts.events).toBeGreaterThanOrEqual(1);
  });

  test('with GPC on and no tag decision the state is denied (not pending) from GPC', async ({ page }) => {
    await openSdk(page, pageUrl());
    await trackMarked(page, ['gpc-default']);
    expect(await debugOf(page)).toMatchObject({ consent: 'denied', consentSource: 'gpc' });
    expect((await exported(page)).ids).toEqual([]);
    expect(await dbExists(page)).toBe(false);
  });
});
