import { hash32 } from '../catalog/prng.ts';
import { escapeHtml } from './html.ts';

/**
 * Product pictures drawn here as SVG, so the store looks stocked without loading anything from another host: a
 * tinted backdrop from the product id, a line-art icon for the category and the product's short name.
 */

/** Line-art icons on a 100×100 grid, one per category; unknown categories get a parcel. */
const ICONS: Record<string, string> = {
  'coffee-tea': '<path d="M25 40h40v22a16 16 0 0 1-16 16h-8a16 16 0 0 1-16-16z"/><path d="M65 46h6a8 8 0 0 1 0 16h-6"/><path d="M36 22c-4 6 4 8 0 14M48 22c-4 6 4 8 0 14"/>',
  kitchen: '<circle cx="42" cy="54" r="22"/><path d="M64 54h26"/><circle cx="42" cy="54" r="12"/>',
  audio: '<path d="M24 62V50a26 26 0 0 1 52 0v12"/><rect x="18" y="58" width="14" height="22" rx="5"/><rect x="68" y="58" width="14" height="22" rx="5"/>',
  outdoor: '<path d="M14 78 50 24l36 54z"/><path d="M50 24v54M40 78l10-18 10 18"/>',
  books: '<path d="M20 26h26a6 6 0 0 1 6 6v48a6 6 0 0 0-6-6H20z"/><path d="M80 26H58a6 6 0 0 0-6 6v48a6 6 0 0 1 6-6h22z"/>',
  toys: '<rect x="22" y="50" width="26" height="26" rx="3"/><rect x="52" y="50" width="26" height="26" rx="3"/><rect x="37" y="22" width="26" height="26" rx="3"/>',
  beauty: '<rect x="36" y="40" width="28" height="40" rx="6"/><rect x="42" y="26" width="16" height="14" rx="2"/><path d="M44 56h12"/>',
  'home-office': '<path d="M30 78h40M50 78V60"/><path d="M28 30l22 20 12-10"/><path d="M62 40l14 14"/><circle cx="28" cy="30" r="5"/>',
  sports: '<rect x="16" y="38" width="10" height="24" rx="3"/><rect x="74" y="38" width="10" height="24" rx="3"/><rect x="26" y="44" width="8" height="12"/><rect x="66" y="44" width="8" height="12"/><path d="M34 50h32"/>',
  garden: '<path d="M50 80V44"/><path d="M50 56c-18 0-26-12-26-26 16 0 26 10 26 26zM50 48c0-16 10-26 26-26 0 16-10 26-26 26z"/>',
};
const PARCEL = '<rect x="22" y="30" width="56" height="44" rx="4"/><path d="M22 44h56M50 30v14"/>';

/** The product's name without its brand and variant, on at most two short lines. */
function label(title: string, brand: string): [string, string] {
  let name = title.split(',')[0] ?? title;
  if (brand && name.startsWith(brand)) name = name.slice(brand.length);
  const first: string[] = [];
  const second: string[] = [];
  for (const w of name.trim().split(/\s+/)) (second.length === 0 && first.join(' ').length + w.length < 16 ? first : second).push(w);
  const two = second.join(' ');
  return [first.join(' '), two.length > 18 ? `${two.slice(0, 17)}…` : two];
}

export function productSvg(product: { id: string; title: string; category: string; brand: string }): string {
  const h = hash32(product.id);
  const hue = h % 360;
  const hue2 = (hue + 25 + ((h >>> 9) % 40)) % 360;
  const [line1, line2] = label(product.title, product.brand);
  const icon = ICONS[product.category] ?? PARCEL;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img" aria-label="${escapeHtml(product.title)}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 70% 92%)"/><stop offset="1" stop-color="hsl(${hue2} 65% 80%)"/></linearGradient></defs>
<rect width="400" height="400" fill="url(#g)"/>
<circle cx="200" cy="165" r="110" fill="hsl(${hue} 60% 97%)" opacity=".75"/>
<g transform="translate(110 75) scale(1.8)" fill="none" stroke="hsl(${hue} 45% 30%)" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round">${icon}</g>
<text x="200" y="318" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="17" font-weight="700" letter-spacing="2" fill="hsl(${hue} 40% 28%)">${escapeHtml(product.brand.toUpperCase())}</text>
<text x="200" y="346" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="22" fill="hsl(${hue} 35% 20%)">${escapeHtml(line1)}</text>
<text x="200" y="374" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="22" fill="hsl(${hue} 35% 20%)">${escapeHtml(line2)}</text>
</svg>`;
}
