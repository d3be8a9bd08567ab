/**
 * The words the demo store is made of: categories, their subcategories with believable price ranges, brands and
 * the nouns and qualities that make product titles. Kept apart from the generator so the store's look can change
 * without touching how products are drawn.
 */

export interface SubcategorySpec {
  name: string;
  /** Product nouns; a title is `<brand> <quality> <noun> <variant>`. */
  nouns: readonly string[];
  /** Price range in EUR. */
  price: readonly [number, number];
  variants: readonly string[];
}

export interface CategorySpec {
  id: string;
  name: string;
  brands: readonly string[];
  qualities: readonly string[];
  subcategories: readonly SubcategorySpec[];
}

export const CATEGORIES: readonly CategorySpec[] = [
  {
    id: 'coffee-tea',
    name: 'Coffee & Tea',
    brands: ['Roastwell', 'Kettle & Leaf', 'Bean Republic', 'Morning Ritual', 'Altura'],
    qualities: ['Single-Origin', 'Organic', 'Dark Roast', 'Fair-Trade', 'Smooth', 'Bold'],
    subcategories: [
      { name: 'Coffee beans', nouns: ['Espresso Beans', 'Filter Coffee', 'Whole Beans'], price: [7.5, 24], variants: ['250 g', '500 g', '1 kg'] },
      { name: 'Loose-leaf tea', nouns: ['Green Tea', 'Earl Grey', 'Rooibos', 'Chai Blend', 'Oolong'], price: [4.5, 18], variants: ['50 g', '100 g', 'Tin'] },
      { name: 'Brewing gear', nouns: ['Pour-Over Dripper', 'French Press', 'Milk Frother', 'Burr Grinder', 'Moka Pot'], price: [14, 129], variants: ['Black', 'Steel', 'Copper', '3-Cup', '6-Cup'] },
    ],
  },
  {
    id: 'kitchen',
    name: 'Kitchen',
    brands: ['Chefline', 'Ironhearth', 'Nordic Table', 'Casa Forno', 'Zestware'],
    qualities: ['Non-Stick', 'Cast-Iron', 'Stainless', 'Professional', 'Compact', 'Everyday'],
    subcategories: [
      { name: 'Cookware', nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Wok', 'Stockpot'], price: [19, 189], variants: ['20 cm', '24 cm', '28 cm', 'Set of 3'] },
      { name: 'Knives', nouns: ["Chef's Knife", 'Santoku Knife', 'Paring Knife', 'Bread Knife', 'Knife Block'], price: [12, 149], variants: ['15 cm', '20 cm', 'Damascus', 'Walnut Handle'] },
      { name: 'Bakeware', nouns: ['Baking Tray', 'Loaf Tin', 'Springform Pan', 'Muffin Tray', 'Pizza Stone'], price: [8, 59], variants: ['Small', 'Large', 'Set of 2'] },
    ],
  },
  {
    id: 'audio',
    name: 'Audio',
    brands: ['Sonique', 'Bassline', 'Auralis', 'Northwave', 'Pulse Audio'],
    qualities: ['Wireless', 'Noise-Cancelling', 'Studio', 'Portable', 'Hi-Fi', 'Waterproof'],
    subcategories: [
      { name: 'Headphones', nouns: ['Over-Ear Headphones', 'Earbuds', 'On-Ear Headphones'], price: [29, 349], variants: ['Black', 'White', 'Midnight Blue', 'Sand'] },
      { name: 'Speakers', nouns: ['Bluetooth Speaker', 'Bookshelf Speakers', 'Soundbar', 'Smart Speaker'], price: [39, 499], variants: ['Mini', 'Max', 'Pair', 'Graphite'] },
      { name: 'Accessories', nouns: ['Headphone Stand', 'Audio Cable', 'DAC Amplifier', 'Ear Cushions'], price: [9, 129], variants: ['1 m', '2 m', 'Black', 'Grey'] },
    ],
  },
  {
    id: 'outdoor',
    name: 'Outdoor',
    brands: ['Trailmark', 'Summit Co.', 'Fjellhus', 'Wildpath', 'Basecamp'],
    qualities: ['Ultralight', 'Weatherproof', 'Trail', 'Alpine', 'Packable', 'Rugged'],
    subcategories: [
      { name: 'Camping', nouns: ['Tent', 'Sleeping Bag', 'Camping Stove', 'Sleeping Mat', 'Lantern'], price: [19, 399], variants: ['1-Person', '2-Person', '4-Person', 'Olive', 'Orange'] },
      { name: 'Hiking', nouns: ['Daypack', 'Trekking Poles', 'Water Bottle', 'Hiking Backpack'], price: [12, 189], variants: ['20 L', '35 L', '50 L', '750 ml'] },
      { name: 'Clothing', nouns: ['Rain Jacket', 'Fleece Pullover', 'Hiking Socks', 'Softshell Trousers'], price: [14, 249], variants: ['S', 'M', 'L', 'XL'] },
    ],
  },
  {
    id: 'books',
    name: 'Books',
    brands: ['Harbor Press', 'Lantern Books', 'Quill & Co.', 'Paperboat', 'Meridian'],
    qualities: ['Illustrated', 'Bestselling', 'Classic', 'Award-Winning', 'Pocket', 'Collector’s'],
    subcategories: [
      { name: 'Fiction', nouns: ['Mystery Novel', 'Science Fiction Saga', 'Historical Novel', 'Short Stories'], price: [8.99, 29.9], variants: ['Paperback', 'Hardcover'] },
      { name: 'Cookbooks', nouns: ['Baking Book', 'Vegetarian Cookbook', 'Pasta Handbook', 'Spice Atlas'], price: [14.9, 39.9], variants: ['Hardcover', 'Spiral-Bound'] },
      { name: "Children's books", nouns: ['Picture Book', 'Bedtime Stories', 'Activity Book', 'First Atlas'], price: [6.99, 19.9], variants: ['Board Book', 'Paperback', 'Hardcover'] },
    ],
  },
  {
    id: 'toys',
    name: 'Toys & Games',
    brands: ['Playwise', 'Tinker Town', 'Brightblocks', 'Woodland Toys', 'Gamenight'],
    qualities: ['Wooden', 'Educational', 'Family', 'Classic', 'Creative', 'Deluxe'],
    subcategories: [
      { name: 'Board games', nouns: ['Strategy Game', 'Party Game', 'Cooperative Game', 'Chess Set'], price: [14, 69], variants: ['2–4 Players', '4–8 Players', 'Travel Edition'] },
      { name: 'Building sets', nouns: ['Building Blocks', 'Marble Run', 'Construction Kit', 'Magnetic Tiles'], price: [12, 119], variants: ['60 Pieces', '120 Pieces', '300 Pieces'] },
      { name: 'Puzzles', nouns: ['Jigsaw Puzzle', 'Brain Teaser', '3D Puzzle'], price: [7, 39], variants: ['500 Pieces', '1000 Pieces', 'Set of 3'] },
    ],
  },
  {
    id: 'beauty',
    name: 'Beauty',
    brands: ['Lumière', 'Botanica', 'Pure Ritual', 'Glowhaus', 'Nordlys'],
    qualities: ['Hydrating', 'Vegan', 'Fragrance-Free', 'Brightening', 'Gentle', 'Nourishing'],
    subcategories: [
      { name: 'Skincare', nouns: ['Face Serum', 'Day Cream', 'Cleansing Gel', 'Eye Cream', 'Face Mask'], price: [9, 69], variants: ['30 ml', '50 ml', '100 ml'] },
      { name: 'Hair care', nouns: ['Shampoo', 'Conditioner', 'Hair Oil', 'Styling Cream'], price: [6, 39], variants: ['200 ml', '400 ml', 'Travel Size'] },
      { name: 'Fragrance', nouns: ['Eau de Parfum', 'Body Mist', 'Scented Candle'], price: [15, 119], variants: ['30 ml', '50 ml', '100 ml'] },
    ],
  },
  {
    id: 'home-office',
    name: 'Home Office',
    brands: ['Deskcraft', 'Ergonomo', 'Paperline', 'Brightdesk', 'Workwell'],
    qualities: ['Ergonomic', 'Adjustable', 'Minimalist', 'Recycled', 'Compact', 'Premium'],
    subcategories: [
      { name: 'Furniture', nouns: ['Desk Chair', 'Standing Desk', 'Monitor Riser', 'Footrest'], price: [29, 649], variants: ['Oak', 'White', 'Black', 'Walnut'] },
      { name: 'Stationery', nouns: ['Notebook', 'Fountain Pen', 'Desk Organiser', 'Planner'], price: [4.5, 59], variants: ['A5', 'A4', 'Dotted', 'Lined'] },
      { name: 'Lighting', nouns: ['Desk Lamp', 'Monitor Light Bar', 'LED Strip'], price: [19, 149], variants: ['Warm White', 'Dimmable', 'Black', 'Silver'] },
    ],
  },
  {
    id: 'sports',
    name: 'Sports & Fitness',
    brands: ['Stride', 'Corefit', 'Velo Nord', 'Peakform', 'Aqualine'],
    qualities: ['Performance', 'Lightweight', 'Pro', 'Training', 'Breathable', 'Grip'],
    subcategories: [
      { name: 'Fitness', nouns: ['Yoga Mat', 'Kettlebell', 'Resistance Bands', 'Foam Roller', 'Dumbbell Set'], price: [9, 199], variants: ['4 kg', '8 kg', '12 kg', 'Purple', 'Teal'] },
      { name: 'Running', nouns: ['Running Shoes', 'Running Vest', 'Sports Watch', 'Running Belt'], price: [14, 299], variants: ['Size 40', 'Size 42', 'Size 44', 'Neon'] },
      { name: 'Cycling', nouns: ['Bike Helmet', 'Bike Light Set', 'Cycling Gloves', 'Bike Lock'], price: [12, 179], variants: ['S/M', 'L/XL', 'Black', 'Hi-Vis'] },
    ],
  },
  {
    id: 'garden',
    name: 'Garden',
    brands: ['Greenthumb', 'Terra Verde', 'Bloomfield', 'Rootstock', 'Hedgerow'],
    qualities: ['Heavy-Duty', 'Organic', 'Weather-Resistant', 'Cordless', 'Classic', 'Self-Watering'],
    subcategories: [
      { name: 'Tools', nouns: ['Pruning Shears', 'Garden Trowel', 'Hedge Trimmer', 'Rake', 'Hose Reel'], price: [9, 229], variants: ['Steel', 'Ash Handle', '18 V', '25 m'] },
      { name: 'Planters', nouns: ['Plant Pot', 'Raised Bed', 'Window Box', 'Hanging Basket'], price: [8, 159], variants: ['Terracotta', 'Small', 'Large', 'Set of 3'] },
      { name: 'Seeds & soil', nouns: ['Herb Seed Kit', 'Potting Soil', 'Wildflower Seeds', 'Tomato Seeds'], price: [3.5, 29], variants: ['10 L', '40 L', 'Mix', 'Heirloom'] },
    ],
  },
];

/** Sentences a description is assembled from; `{noun}` and `{brand}` are filled in. */
export const DESCRIPTION_OPENERS = [
  'A {quality} {noun} from {brand}, made to be used every day.',
  '{brand} designed this {noun} for people who care about the details.',
  'Our most popular {noun} from {brand}, now in a {variant} version.',
  'The {noun} our customers keep coming back for — {quality}, reliable and well made.',
];

export const DESCRIPTION_CLOSERS = [
  'Free returns within 30 days.',
  'Ships within two working days.',
  'Backed by a two-year warranty.',
  'Packed in recycled materials.',
];
