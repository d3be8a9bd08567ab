/**
 * The widget's shadow-DOM styles. It inherits the page's font and colours so it looks native; merchants restyle
 * it with CSS custom properties on the element (documented in the README) or with `::part(card|image|title|price)`.
 */
export const CSS = `
:host{display:block}
:host([hidden]){display:none}
.list{display:grid;grid-template-columns:repeat(var(--edgewise-columns,auto-fill),minmax(var(--edgewise-card-min-width,150px),1fr));gap:var(--edgewise-gap,16px);margin:0;padding:0;list-style:none}
.heading{font:inherit;font-size:var(--edgewise-heading-size,1.25em);font-weight:600;margin:0 0 .75em}
.card{display:flex;flex-direction:column;gap:.35em;color:inherit;text-decoration:none;background:var(--edgewise-card-background,transparent);border:var(--edgewise-card-border,0);border-radius:var(--edgewise-card-radius,8px);padding:var(--edgewise-card-padding,0);overflow:hidden}
.card:focus-visible{outline:2px solid var(--edgewise-focus-color,currentColor);outline-offset:2px}
.image{display:block;width:100%;aspect-ratio:var(--edgewise-image-aspect-ratio,1);object-fit:cover;border-radius:var(--edgewise-image-radius,6px);background:var(--edgewise-image-background,#f2f2f2)}
.title{line-height:1.3;color:var(--edgewise-title-color,inherit);display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.price{font-weight:600;color:var(--edgewise-price-color,inherit)}
`;
