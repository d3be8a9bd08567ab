import type { Random } from '../data/random.ts';
import type { TrainingItem } from '../data/catalog.ts';

/**
 * Simulated shoppers for the demo catalog. The demo shop has no real traffic, so its recommend model trains on
 * interactions drawn from shoppers with coherent tastes: each has one or two favourite categories (and a few
 * favourite subcategories inside them), a favourite brand per category and a price band. A session browses
 * within that taste — mostly the same subcategory, sometimes the same brand, a complementary subcategory (a coffee
 * grinder leads to coffee beans) or another shelf of the same category — with some noise, adds to the cart and
 * sometimes buys. Everything is drawn from the seeded random source, so the events file is reproducible.
 */

export interface SimulationOptions {
  shoppers: number;
  /** Sessions per shopper: 1 + a geometric number with this mean of extras. */
  extraSessionsMean: number;
  /** Probability of a view jumping to a random (popular) item outside the shopper's taste. */
  noise: number;
  /** Epoch ms of the first day. */
  startMs: number;
  days: number;
}

export const DEFAULT_SIMULATION: SimulationOptions = {
  shoppers: 4000,
  extraSessionsMean: 2,
  noise: 0.08,
  startMs: Date.UTC(2025, 0, 1),
  days: 90,
};

export interface SimulatedEvent {
  user: string;
  time: number;
  type: 'view_item' | 'add_to_cart' | 'purchase';
  item: number;
}

/**
 * Complementary shelves, as (from, to) patterns over subcategory names: buying from the first makes the second
 * likely next. Subcategories no rule covers get one or two complements drawn from their own category.
 */
export const COMPLEMENT_RULES: ReadonlyArray<readonly [RegExp, RegExp]> = [
  [/grinder|espresso|coffee (maker|machine)|french press|brew/i, /coffee|bean/i],
  [/coffee/i, /mug|cup|grinder|filter|milk|sugar|creamer|biscuit|cookie/i],
  [/tea\b|teas\b/i, /kettle|mug|cup|honey|biscuit|cookie/i],
  [/kettle/i, /tea|coffee/i],
  [/mug|cup/i, /coffee|tea/i],
  [/pasta|noodle/i, /sauce|cheese|olive|oil/i],
  [/sauce/i, /pasta|noodle/i],
  [/bread|bakery|bun/i, /butter|jam|spread|cheese|egg|honey/i],
  [/cookware|frying|pan\b|pans\b|pots?\b/i, /utensil|spatula|knife|knives|board|oil|kitchen tool/i],
  [/knife|knives/i, /board|sharpen/i],
  [/bakeware|baking/i, /flour|sugar|mixer|baking/i],
  [/rice/i, /dal|pulse|lentil|spice|masala|oil|ghee/i],
  [/shampoo|hair care/i, /conditioner|hair|comb|brush/i],
  [/oral|tooth/i, /tooth|mouthwash|floss|oral/i],
  [/diaper/i, /wipe|baby bath|cream|lotion/i],
  [/shav|razor|grooming/i, /shav|deo|fragrance|after/i],
  [/detergent|dishwash|laundry/i, /sponge|scrub|mop|cleaner|softener/i],
  [/phone|smartphone|laptop|tablet/i, /case|cover|charger|cable|headphone|earbud|accessor/i],
  [/camera/i, /memory|lens|tripod|bag/i],
  [/shoe|sneaker|running/i, /sock|sport|insole|shorts/i],
  [/tent|camp/i, /sleeping|lamp|torch|lantern|stove/i],
  [/dog|cat\b|pet/i, /pet|treat|toy|bowl|leash/i],
  [/yoga|fitness/i, /mat|bottle|band|wear/i],
  [/printer/i, /paper|ink|toner/i],
];

interface Shelf {
  name: string;
  category: string;
  items: number[];
  /** Fixed popularity weight of each item on the shelf (Zipf over a seeded order). */
  weight: Float64Array;
  /** Price percentile of each item within the shelf, 0..1. */
  pricePct: Float64Array;
  complements: number[];
}

function pickWeighted(weights: ArrayLike<number>, random: Random): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i]!;
  let r = random.next() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

function geometric(mean: number, random: Random): number {
  const p = 1 / (1 + mean);
  let n = 0;
  while (random.next() > p && n < 50) n++;
  return n;
}

function buildShelves(items: readonly TrainingItem[], random: Random): { shelves: Shelf[]; shelfOf: Int32Array } {
  const byName = new Map<string, number[]>();
  items.forEach((it, i) => {
    const key = `${it.category}\u0000${it.subcategory}`;
    const list = byName.get(key);
    if (list) list.push(i);
    else byName.set(key, [i]);
  });
  const shelves: Shelf[] = [];
  const shelfOf = new Int32Array(items.length);
  for (const [key, list] of byName) {
    const [category, name] = key.split('\u0000') as [string, string];
    const order = list.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const weight = new Float64Array(list.length);
    order.forEach((slot, rank) => (weight[slot] = 1 / Math.pow(rank + 1, 0.8)));
    const prices = list.map((i) => items[i]!.price ?? 0);
    const sorted = [...prices].sort((a, b) => a - b);
    const pricePct = Float64Array.from(prices, (p) => (list.length > 1 ? sorted.indexOf(p) / (list.length - 1) : 0.5));
    list.forEach((i) => (shelfOf[i] = shelves.length));
    shelves.push({ name, category, items: list, weight, pricePct, complements: [] });
  }
  shelves.forEach((s, si) => {
    for (const [from, to] of COMPLEMENT_RULES) {
      if (!from.test(s.name)) continue;
      shelves.forEach((t, ti) => {
        if (ti !== si && to.test(t.name) && !s.complements.includes(ti)) s.complements.push(ti);
      });
    }
    if (s.complements.length === 0) {
      const same = shelves.map((t, ti) => ti).filter((ti) => ti !== si && shelves[ti]!.category === s.category);
      for (let k = 0; k < 2 && same.length; k++) s.complements.push(same.splice(random.int(same.length), 1)[0]!);
    }
  });
  return { shelves, shelfOf };
}

/** Draws the events of all simulated shoppers, in time order per shopper. */
export function simulateShoppers(items: readonly TrainingItem[], random: Random, options: SimulationOptions = DEFAULT_SIMULATION): SimulatedEvent[] {
  const { shelves, shelfOf } = buildShelves(items, random);
  const categories = [...new Set(items.map((i) => i.category))];
  const shelvesOfCategory = new Map(categories.map((c) => [c, shelves.map((s, i) => (s.category === c ? i : -1)).filter((i) => i >= 0)]));
  const categorySize = categories.map((c) => items.filter((i) => i.category === c).length);
  const brandsOfCategory = new Map(
    categories.map((c) => {
      const counts = new Map<string, number>();
      for (const it of items) if (it.category === c && it.brand) counts.set(it.brand, (counts.get(it.brand) ?? 0) + 1);
      return [c, [...counts]] as const;
    }),
  );
  const globalWeight = Float64Array.from(items, (_, i) => shelves[shelfOf[i]!]!.weight[shelves[shelfOf[i]!]!.items.indexOf(i)]!);
  const events: SimulatedEvent[] = [];
  const dayMs = 24 * 3600 * 1000;

  for (let u = 0; u < options.shoppers; u++) {
    const user = `u${String(u + 1).padStart(5, '0')}`;
    const favCats = [categories[pickWeighted(categorySize, random)]!];
    if (random.next() < 0.5 && categories.length > 1) {
      const second = categories[pickWeighted(categorySize, random)]!;
      if (second !== favCats[0]) favCats.push(second);
    }
    const favShelves = favCats.flatMap((c) => {
      const list = [...shelvesOfCategory.get(c)!];
      const n = Math.min(list.length, 1 + random.int(3));
      return Array.from({ length: n }, () => list.splice(pickWeighted(list.map((s) => shelves[s]!.items.length), random), 1)[0]!);
    });
    const favBrand = new Map<string, string>();
    for (const c of categories) {
      const brands = brandsOfCategory.get(c)!;
      if (brands.length) favBrand.set(c, brands[pickWeighted(brands.map(([, n]) => n), random)]![0]);
    }
    const band = random.int(3);
    const bandLo = [0, 0.3, 0.6][band]!;
    const bandHi = [0.4, 0.7, 1][band]!;

    const pickOnShelf = (si: number): number => {
      const s = shelves[si]!;
      const brand = favBrand.get(s.category);
      const w = s.items.map((it, k) => s.weight[k]! * (brand && items[it]!.brand === brand ? 4 : 1) * (s.pricePct[k]! >= bandLo && s.pricePct[k]! <= bandHi ? 3 : 0.7));
      return s.items[pickWeighted(w, random)]!;
    };

    const sessions = 1 + geometric(options.extraSessionsMean, random);
    const days = new Set<number>();
    while (days.size < Math.min(sessions, options.days)) days.add(random.int(options.days));
    for (const day of [...days].sort((a, b) => a - b)) {
      let t = options.startMs + day * dayMs + Math.floor((7 + random.next() * 15) * 3600 * 1000);
      let shelf = random.next() < 0.85 ? favShelves[random.int(favShelves.length)]! : shelfOf[pickWeighted(globalWeight, random)]!;
      let item = pickOnShelf(shelf);
      const length = 2 + geometric(5, random);
      const cart: number[] = [];
      for (let step = 0; step < length; step++) {
        events.push({ user, time: t, type: 'view_item', item });
        t += 15_000 + random.int(165_000);
        if (random.next() < 0.22) {
          events.push({ user, time: t, type: 'add_to_cart', item });
          t += 5_000 + random.int(30_000);
          cart.push(item);
        }
        const r = random.next();
        const s = shelves[shelf]!;
        if (r < options.noise) {
          item = pickWeighted(globalWeight, random);
          shelf = shelfOf[item]!;
          continue;
        }
        if (r < 0.55) {
          // keep browsing the same shelf
        } else if (r < 0.68) {
          const brand = items[item]!.brand;
          const same = brand ? items.map((it, i) => (i !== item && it.brand === brand && it.category === s.category ? i : -1)).filter((i) => i >= 0) : [];
          if (same.length) {
            item = same[random.int(same.length)]!;
            shelf = shelfOf[item]!;
            continue;
          }
        } else if (r < 0.82 || cart.length) {
          if (s.complements.length) shelf = s.complements[random.int(s.complements.length)]!;
        } else {
          const list = shelvesOfCategory.get(s.category)!;
          shelf = list[random.int(list.length)]!;
        }
        let next = pickOnShelf(shelf);
        if (next === item && shelves[shelf]!.items.length > 1) next = pickOnShelf(shelf);
        item = next;
      }
      if (cart.length && random.next() < 0.45) {
        t += 60_000 + random.int(240_000);
        for (const it of cart) events.push({ user, time: t, type: 'purchase', item: it });
      }
    }
  }
  return events;
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The generic events CSV the trainer reads (`--format events-csv`). */
export function toEventsCsv(events: readonly SimulatedEvent[], items: readonly TrainingItem[]): string {
  const lines = ['user_id,timestamp,event_type,item_id,category,price'];
  for (const e of events) {
    const it = items[e.item]!;
    lines.push([e.user, new Date(e.time).toISOString(), e.type, csvField(it.id), csvField(it.category), it.price === undefined ? '' : String(it.price)].join(','));
  }
  return lines.join('\n') + '\n';
}
