import { describe, expect, it } from 'vitest';
import { DEVICE_FEATURES, deviceFeatures, type DeviceIntentInput } from '@edgewise/protocol/features';
import { engineeredFeatures, rawFeatures } from './features.ts';
import { parseShopperRow, parseShoppers } from './uci-shoppers.ts';

const base: DeviceIntentInput = { adminPages: 2, adminSeconds: 120, infoPages: 0, infoSeconds: 0, productPages: 10, productSeconds: 600, month: 10, weekend: true, visitor: 'returning' };

describe('UCI rows', () => {
  it('rejects malformed rows instead of guessing', () => {
    expect(parseShopperRow('')).toBeNull();
    expect(parseShopperRow('0,0,0,0,1,0,0.2,0.2,0,0,Feb,1,1,1,1,Returning_Visitor,FALSE')).toBeNull();
    expect(parseShopperRow('0,0,0,0,x,0,0.2,0.2,0,0,Feb,1,1,1,1,Returning_Visitor,FALSE,FALSE')).toBeNull();
    expect(parseShopperRow('0,0,0,0,1,0,0.2,0.2,0,0,Foo,1,1,1,1,Returning_Visitor,FALSE,FALSE')).toBeNull();
    expect(parseShopperRow('0,0,0,0,1,0,0.2,0.2,0,0,Feb,1,1,1,1,Alien,FALSE,FALSE')).toBeNull();
    expect(parseShopperRow('0,0,0,0,1,0,0.2,0.2,0,0,Feb,1.5,1,1,1,New_Visitor,FALSE,yes')).toBeNull();
  });
  it('reads −1 durations as 0 seconds and flags them; June is spelled out', () => {
    const s = parseShopperRow('0,-1,0,-1,1,-1,0.2,0.2,0,0,June,4,1,9,3,Returning_Visitor,TRUE,FALSE')!;
    expect(s).toMatchObject({ administrativeDuration: 0, productRelatedDuration: 0, durationMissing: true, month: 5, weekend: true, revenue: false, visitorType: 'returning' });
  });
  it('refuses a file with another header, counts bad lines in a good one', async () => {
    await expect(parseShoppers(['a,b,c', '1,2,3'])).rejects.toThrow(/layout/);
    const header = 'Administrative,Administrative_Duration,Informational,Informational_Duration,ProductRelated,ProductRelated_Duration,BounceRates,ExitRates,PageValues,SpecialDay,Month,OperatingSystems,Browser,Region,TrafficType,VisitorType,Weekend,Revenue';
    const r = await parseShoppers([header, '0,0,0,0,2,64,0,0.1,0,0,Feb,2,2,1,2,Returning_Visitor,FALSE,TRUE', 'garbage', '']);
    expect(r.sessions).toHaveLength(1);
    expect(r.badLines).toBe(1);
  });
});

describe('device features', () => {
  it('has one value per documented name', () => {
    expect(deviceFeatures(base)).toHaveLength(DEVICE_FEATURES.length);
  });
  it('are finite and bounded for junk input (NaN, negative, Infinity, huge, bad month)', () => {
    const junk = [
      { ...base, adminPages: NaN, productSeconds: -5, month: 13 },
      { ...base, productPages: Infinity, productSeconds: Infinity, month: -1 },
      { ...base, infoPages: 1e12, infoSeconds: 1e12, month: 2.5 },
      { ...base, visitor: 'robot' as never, weekend: 'yes' as never },
    ];
    for (const x of junk) {
      const f = deviceFeatures(x);
      expect(f.every(Number.isFinite)).toBe(true);
      expect(Math.max(...f)).toBeLessThan(20);
      expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    }
    const months = deviceFeatures({ ...base, month: 13 }).slice(12, 24);
    expect(months.every((v) => v === 0)).toBe(true);
  });
  it('match the documented formulas', () => {
    const f = Object.fromEntries(DEVICE_FEATURES.map((n, i) => [n, deviceFeatures(base)[i]]));
    expect(f.log_product_pages).toBeCloseTo(Math.log1p(10), 12);
    expect(f.log_product_minutes).toBeCloseTo(Math.log1p(10), 12);
    expect(f.log_minutes_per_product_page).toBeCloseTo(Math.log1p(1), 12);
    expect(f.product_page_share).toBeCloseTo(10 / 12, 12);
    expect(f.month_nov).toBe(1);
    expect(f.weekend).toBe(1);
    expect(f.visitor_returning).toBe(1);
    expect(f.any_info).toBe(0);
  });
  it('the reference variants only add columns after the device ones', () => {
    const s = parseShopperRow('1,20,0,0,5,300,0.02,0.04,12.5,0.4,May,2,2,1,2,New_Visitor,FALSE,TRUE')!;
    const dev = engineeredFeatures([s], 'device');
    const all = engineeredFeatures([s], 'all');
    expect(all.rows[0]!.slice(0, dev.names.length)).toEqual(dev.rows[0]);
    expect(all.names).toContain('log_page_values');
    expect(engineeredFeatures([s], 'no-pagevalues').names.some((n) => n.includes('page_value'))).toBe(false);
    expect(rawFeatures([s], 'device').names.some((n) => /page_value|bounce|exit|os_|traffic/.test(n))).toBe(false);
    for (const v of ['device', 'no-pagevalues', 'all'] as const) {
      const r = rawFeatures([s], v);
      expect(r.rows[0]).toHaveLength(r.names.length);
      const e = engineeredFeatures([s], v);
      expect(e.rows[0]).toHaveLength(e.names.length);
    }
  });
});
