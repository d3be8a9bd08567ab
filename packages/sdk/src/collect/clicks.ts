/**
 * Clicks on elements the merchant marked with `data-edgewise-*` attributes (see the SDK README):
 * `data-edgewise-item="SKU"` → `select_item` (or the GA4 name in `data-edgewise-event`, e.g. `add_to_cart`), with
 * `data-edgewise-name|category|brand|price` and the list name from the nearest `data-edgewise-list`;
 * `data-edgewise-promotion="ID"` (+ `data-edgewise-promotion-name`, `data-edgewise-creative`) → `select_promotion`.
 */

const MARKED = '[data-edgewise-item],[data-edgewise-promotion]';

/** The event for a click inside the marked element `el`. */
function markedEvent(el: HTMLElement): [string, Record<string, unknown>] {
  const d = el.dataset;
  if (d.edgewisePromotion) {
    return ['select_promotion', { promotion_id: d.edgewisePromotion, promotion_name: d.edgewisePromotionName, creative_name: d.edgewiseCreative }];
  }
  const list = el.closest('[data-edgewise-list]')?.getAttribute('data-edgewise-list');
  const item = { item_id: d.edgewiseItem, item_name: d.edgewiseName, item_category: d.edgewiseCategory, item_brand: d.edgewiseBrand, price: d.edgewisePrice, item_list_name: list };
  return [d.edgewiseEvent || 'select_item', { items: [item], item_list_name: list }];
}

/**
 * Listens for clicks (capture phase, passive) on the whole document; never breaks the page's own handlers. A click
 * on a `<label>` makes the browser click its control too, in the same task: one event for the two. Any other
 * click counts, however fast it follows (a double click).
 */
export function listenClicks(doc: Document, sink: (name: string, params: Record<string, unknown>) => void): void {
  /** The control a label click just made the browser click. */
  let repeat: Element | null | undefined;
  doc.addEventListener(
    'click',
    (ev) => {
      try {
        // The path of what was clicked crosses open shadow roots (a web component's own label and input, an icon
        // component inside a label), where the document sees only the component.
        const path = ev.composedPath() as Element[];
        if (path[0] === repeat) return void (repeat = null);
        const el = (ev.target as Element).closest<HTMLElement>(MARKED);
        if (!el) return;
        const control = (path.find((n) => n.localName === 'label') as HTMLLabelElement | undefined)?.control;
        // A click on the control itself, inside its label, is not repeated.
        if ((repeat = control && !path.includes(control) ? control : null)) setTimeout(() => (repeat = null));
        sink(...markedEvent(el));
      } catch {
        // a click on a text node or in a closed shadow root: nothing marked
      }
    },
    { capture: true, passive: true },
  );
}
