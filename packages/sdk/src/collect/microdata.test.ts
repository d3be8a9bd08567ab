import { describe, expect, it } from 'vitest';
import { microdataItem, microdataProducts } from './microdata.ts';

// A few elements with just what microdata needs (children, attributes, text), and a document whose
// querySelectorAll understands the one selector microdata.ts asks for.
interface El {
  children: El[];
  attrs: Record<string, string>;
  text: string;
  getAttribute(n: string): string | null;
  hasAttribute(n: string): boolean;
  readonly textContent: string;
}
function h(tag: string, attrs: Record<string, string> = {}, ...kids: Array<El | string>): El {
  const children = kids.filter((k): k is El => typeof k !== 'string');
  return {
    children,
    attrs,
    text: kids.map((k) => (typeof k === 'string' ? k : '')).join(''),
    getAttribute: (n) => attrs[n] ?? null,
    hasAttribute: (n) => n in attrs,
    get textContent(): string {
      return kids.map((k) => (typeof k === 'string' ? k : k.textContent)).join('');
    },
  };
}
function doc(...roots: El[]): Document {
  const all: El[] = [];
  const walk = (e: El) => (all.push(e), e.children.forEach(walk));
  roots.forEach(walk);
  return {
    querySelectorAll(sel: string) {
      expect(sel).toBe('[itemscope]:not([itemprop]),[itemscope][itemprop~=mainEntity]');
      return all.filter((e) => e.hasAttribute('itemscope') && (!e.hasAttribute('itemprop') || e.attrs.itemprop!.split(/\s+/).includes('mainEntity')));
    },
  } as unknown as Document;
}
const PRODUCT = { itemscope: '', itemtype: 'https://schema.org/Product' };
const OFFER = { itemscope: '', itemtype: 'https://schema.org/Offer', itemprop: 'offers' };
const meta = (itemprop: string, content: string) => h('meta', { itemprop, content });

describe('schema.org Product in microdata', () => {
  it("reads Google's documented shape: meta tags, nested Offer and Brand, reviews that do not leak their names", () => {
    const page = doc(
      h('div', PRODUCT,
        meta('mpn', '925872'),
        meta('name', 'Executive Anvil'),
        h('div', { itemprop: 'review', itemscope: '', itemtype: 'https://schema.org/Review' },
          h('div', { itemprop: 'author', itemscope: '', itemtype: 'https://schema.org/Person' }, meta('name', 'Fred Benson'))),
        meta('sku', '0446310786'),
        h('div', { itemprop: 'brand', itemscope: '', itemtype: 'https://schema.org/Brand' }, meta('name', 'ACME')),
        h('div', OFFER, h('link', { itemprop: 'availability', href: 'https://schema.org/InStock' }), meta('priceCurrency', 'USD'), meta('price', '119.99')),
      ),
    );
    expect(microdataProducts(page)).toEqual([{ item_id: '0446310786', item_name: 'Executive Anvil', item_brand: 'ACME', price: '119.99', currency: 'USD' }]);
  });

  it('reads text and content attributes in a WooCommerce / PrestaShop theme', () => {
    const page = doc(
      h('div', { class: 'primary_block', ...PRODUCT, itemtype: 'http://schema.org/Product' },
        h('h1', { itemprop: 'name' }, '\n   Faded Short Sleeve\n   T-shirt  '),
        h('p', {}, h('label', {}, 'Reference: '), h('span', { itemprop: 'sku', content: 'demo_1' }, 'demo_1')),
        h('p', { ...OFFER, itemtype: 'http://schema.org/Offer' }, h('span', { itemprop: 'price', content: '16.51' }, '$16.51'), meta('priceCurrency', 'USD')),
        h('span', { itemprop: 'category' }, 'Women > Tops > T-shirts'),
      ),
    );
    expect(microdataProducts(page)).toEqual([
      { item_id: 'demo_1', item_name: 'Faded Short Sleeve T-shirt', item_brand: undefined, price: '16.51', currency: 'USD', item_category: 'Women ', item_category2: ' Tops ', item_category3: ' T-shirts' },
    ]);
  });

  it('reads a Product on <body> (Magento 2) and a Product that is the WebPage’s mainEntity', () => {
    const magento = doc(
      h('body', { itemtype: 'http://schema.org/Product', itemscope: 'itemscope' },
        h('nav', {}, h('a', { href: '/gear' }, 'Gear')),
        h('span', { class: 'base', itemprop: 'name' }, 'Joust Duffle Bag'),
        h('span', { itemprop: 'offers', itemscope: '', itemtype: 'http://schema.org/Offer' }, h('span', {}, '$34.00'), meta('price', '34'), meta('priceCurrency', 'USD')),
        h('div', { class: 'value', itemprop: 'sku' }, '24-MB01'),
      ),
    );
    expect(microdataProducts(magento)[0]).toMatchObject({ item_id: '24-MB01', item_name: 'Joust Duffle Bag', price: '34' });
    const webPage = doc(h('body', { itemscope: '', itemtype: 'https://schema.org/ItemPage' }, h('main', { itemprop: 'mainEntity', ...PRODUCT }, meta('productID', 'isbn:123'), meta('name', 'A Book'))));
    expect(microdataProducts(webPage)).toEqual([expect.objectContaining({ item_id: 'isbn:123', item_name: 'A Book' })]);
  });

  it('takes the SKU of the first variant Offer when the Product has none (Shopify themes)', () => {
    const page = doc(
      h('div', PRODUCT, meta('name', 'Shirt - Blue'), meta('brand', 'Vendor'),
        h('div', OFFER, meta('sku', 'SHIRT-BLUE-S'), meta('price', '20.00'), meta('priceCurrency', 'USD')),
        h('div', OFFER, meta('sku', 'SHIRT-BLUE-M'), meta('price', '22.00'), meta('priceCurrency', 'USD'))),
    );
    expect(microdataProducts(page)).toEqual([{ item_id: 'SHIRT-BLUE-S', item_name: 'Shirt - Blue', item_brand: 'Vendor', price: '20.00', currency: 'USD' }]);
  });

  it('sees no product view on a listing page that marks every card up, nor in products nested in another item', () => {
    const card = (sku: string) => h('li', PRODUCT, meta('sku', sku), meta('name', 'Item ' + sku));
    expect(microdataProducts(doc(h('ul', {}, card('a'), card('b'), card('c'))))).toEqual([]);
    // PrestaShop's cards carry a name and a price but no SKU.
    const bare = (name: string) => h('div', PRODUCT, h('h5', { itemprop: 'name' }, name));
    expect(microdataProducts(doc(bare('Blouse'), bare('Blouse')))).toEqual([]);
    // The same product marked up twice (mobile and desktop layouts) is still one product.
    expect(microdataProducts(doc(card('a'), card('a')))).toHaveLength(1);
    const related = doc(h('div', { itemscope: '', itemtype: 'https://schema.org/WebPage' }, h('div', { itemprop: 'relatedLink isRelatedTo', ...PRODUCT }, meta('sku', 'r1'))));
    expect(microdataProducts(related)).toEqual([]);
  });

  it('survives broken markup', () => {
    const broken = doc(
      h('div', { itemscope: '', itemtype: 'https://schema.org/Productivity' }, meta('sku', 'no')),
      h('div', { itemscope: '' }, meta('sku', 'untyped')),
      h('div', { itemtype: 'https://schema.org/Product' }, meta('sku', 'unscoped')),
    );
    expect(microdataProducts(broken)).toEqual([]);
    // No identifier: a product page all the same, without an item id (validation drops the view).
    expect(microdataProducts(doc(h('div', PRODUCT, h('span', { itemprop: '' }, 'x'), h('span', { itemprop: '  name  ' }, 'Nameless'))))).toEqual([
      expect.objectContaining({ item_id: undefined, item_name: 'Nameless' }),
    ]);
    let deep = meta('name', 'too deep');
    for (let i = 0; i < 10; i++) deep = h('div', { itemprop: 'offers', itemscope: '' }, deep);
    expect(() => microdataItem(h('div', PRODUCT, deep) as unknown as Element)).not.toThrow();
  });

  it('gives an element with several property names each of them, the first value of each name winning', () => {
    const item = microdataItem(h('div', PRODUCT, h('span', { itemprop: 'sku productID' }, 'X1'), meta('sku', 'X2')) as unknown as Element);
    expect(item).toEqual({ sku: 'X1', productID: 'X1' });
  });
});
