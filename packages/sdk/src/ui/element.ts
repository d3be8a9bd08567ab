/** The widget's tag name. */
export const ELEMENT_NAME = 'edgewise-recommendations';

/**
 * Registers `<edgewise-recommendations>` with a stub that loads the widget part when an element connects, so
 * pages without the widget never download it. Elements already in the page are upgraded on registration.
 */
export function defineElement(win: { customElements?: CustomElementRegistry; HTMLElement?: typeof HTMLElement }, connected: (el: HTMLElement) => void): void {
  const registry = win.customElements;
  const Base = win.HTMLElement;
  if (!registry || !Base || registry.get(ELEMENT_NAME)) return;
  registry.define(
    ELEMENT_NAME,
    class extends Base {
      connectedCallback(): void {
        connected(this);
      }
    },
  );
}
