/** A top-level category of the shop (`id` is a lowercase slug, e.g. `coffee-tea`). */
export interface Category {
  id: string;
  name: string;
}

/** One product, in the shape `catalog.json` stores (see .team/COMMON.md). */
export interface Product {
  /** `p` + 4 digits. */
  id: string;
  title: string;
  /** Id of the top-level {@link Category}. */
  category: string;
  subcategory: string;
  brand: string;
  /** Price in the catalog's currency, two decimals at most. */
  price: number;
  description: string;
  image: string;
  url: string;
  tags: string[];
}

/** The whole catalog file. */
export interface Catalog {
  site: string;
  currency: string;
  categories: Category[];
  products: Product[];
}
