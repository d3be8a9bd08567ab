// The dashboard's only script: asks for the admin token, fetches aggregates, draws them. Data is only ever placed
// with textContent and SVG attributes, never parsed as HTML.
(() => {
  'use strict';
  const REFRESH_MS = 30_000;
  const TOKEN_KEY = 'edgewise.adminToken';
  const SVG = 'http://www.w3.org/2000/svg';
  const config = JSON.parse(document.getElementById('ew-config').textContent);
  const $ = (id) => document.getElementById(id);
  const nf = new Intl.NumberFormat();
  const state = { periods: new Set(), timer: 0, loading: false };

  const KIND_TITLES = { category_interest: 'Category interest' };

  function show(el, on) {
    el.hidden = !on;
  }

  function el(tag, attrs, text) {
    const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function pct(x, digits = 1) {
    return `${(x * 100).toFixed(digits)} %`;
  }

  function niceMax(x) {
    const steps = [0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1];
    return steps.find((s) => s >= x) ?? 1;
  }

  function chart(agg) {
    const cells = [...agg.cells].sort((a, b) => b.estimate - a.estimate);
    const n = agg.reports;
    const W = 1000;
    const LABEL_W = 190;
    const VALUE_W = 250;
    const PLOT_W = W - LABEL_W - VALUE_W;
    const ROW = 32;
    const TOP = 22;
    const H = TOP + ROW * cells.length + 6;
    const max = niceMax(Math.max(0.05, ...cells.map((c) => (c.estimate + c.ci95) / n)));
    const x = (share) => LABEL_W + (Math.min(Math.max(share, 0), max) / max) * PLOT_W;

    const svg = el('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': `${KIND_TITLES[agg.kind] || agg.kind}, ${agg.period}` });
    for (let i = 0; i <= 4; i++) {
      const share = (max * i) / 4;
      svg.append(el('svg:line', { x1: x(share), x2: x(share), y1: TOP - 6, y2: H - 4, class: 'axis' }));
      svg.append(el('svg:text', { x: x(share), y: TOP - 10, 'text-anchor': 'middle', class: 'tick' }, pct(share, 0)));
    }
    cells.forEach((c, i) => {
      const y = TOP + i * ROW;
      const share = c.estimate / n;
      const half = c.ci95 / n;
      const row = el('svg:g', {});
      const title = el('svg:title', {}, `${c.bucket}: ${pct(share)} ± ${pct(half)} (≈ ${nf.format(Math.round(c.estimate))} ± ${nf.format(Math.round(c.ci95))} of ${nf.format(n)} reports)`);
      row.append(title);
      row.append(el('svg:text', { x: LABEL_W - 12, y: y + ROW / 2 + 4, 'text-anchor': 'end', class: 'label' }, c.bucket));
      row.append(el('svg:rect', { x: LABEL_W, y: y + 6, width: PLOT_W, height: ROW - 12, rx: 4, class: 'track' }));
      row.append(el('svg:rect', { x: LABEL_W, y: y + 6, width: Math.max(x(share) - LABEL_W, share > 0 ? 2 : 0), height: ROW - 12, rx: 4, class: share > 0 ? 'bar' : 'bar neg' }));
      const lo = x(share - half);
      const hi = x(share + half);
      const mid = y + ROW / 2;
      row.append(el('svg:line', { x1: lo, x2: hi, y1: mid, y2: mid, class: 'whisker' }));
      row.append(el('svg:line', { x1: lo, x2: lo, y1: mid - 6, y2: mid + 6, class: 'whisker' }));
      row.append(el('svg:line', { x1: hi, x2: hi, y1: mid - 6, y2: mid + 6, class: 'whisker' }));
      row.append(el('svg:text', { x: LABEL_W + PLOT_W + 14, y: mid + 4, class: 'value' }, `${pct(share)} ± ${pct(half)} · ≈ ${nf.format(Math.round(c.estimate))}`));
      svg.append(row);
    });
    return svg;
  }

  function groupCard(agg) {
    const card = el('article', { class: 'group' });
    const head = el('div', { class: 'group-head' });
    head.append(el('h2', { class: 'group-title' }, `${KIND_TITLES[agg.kind] || agg.kind} · ${agg.period}`));
    const chips = el('div', { class: 'chips' });
    chips.append(el('span', { class: 'chip' }, `${nf.format(agg.reports)} reports`));
    chips.append(el('span', { class: 'chip', title: 'Local differential privacy budget of each report' }, `ε = ${agg.epsilon}`));
    chips.append(el('span', { class: 'chip' }, `${agg.cells.length} categories`));
    head.append(chips);
    card.append(head, chart(agg));
    return card;
  }

  function setStatus(text, bad = false) {
    $('status').textContent = text;
    $('status').classList.toggle('bad', bad);
  }

  function signedOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(state.timer);
    show($('content'), false);
    show($('controls'), false);
    show($('login'), true);
    $('login-error').textContent = message || '';
    show($('login-error'), Boolean(message));
    $('token').focus();
  }

  function render(data) {
    const groups = $('groups');
    groups.replaceChildren(...data.aggregates.map(groupCard));
    const reports = data.aggregates.reduce((s, a) => s + a.reports, 0);
    $('m-groups').textContent = nf.format(data.aggregates.length);
    $('m-reports').textContent = nf.format(reports);
    $('m-withheld').textContent = nf.format(data.withheld);
    $('m-k').textContent = `fewer than k = ${nf.format(data.minReports)} reports`;
    for (const k of document.querySelectorAll('.k')) k.textContent = `k = ${nf.format(data.minReports)}`;
    $('m-updated').textContent = new Date().toLocaleTimeString();
    const empty = data.aggregates.length === 0;
    show($('empty'), empty);
    if (empty) {
      $('empty-text').textContent = data.withheld > 0
        ? `${nf.format(data.withheld)} group${data.withheld === 1 ? ' is' : 's are'} still below k = ${nf.format(data.minReports)} reports and withheld to protect shoppers. Estimates appear once a group is large enough.`
        : 'No reports have arrived for this site yet. They are sent by shoppers\u2019 browsers about once a day.';
    }
  }

  function updatePeriods(data) {
    if ($('period').value) return; // only an unfiltered answer lists every period
    for (const a of data.aggregates) state.periods.add(a.period);
    const select = $('period');
    const current = select.value;
    select.replaceChildren(el('option', { value: '' }, 'All days'), ...[...state.periods].sort().reverse().map((p) => el('option', { value: p }, p)));
    select.value = current;
  }

  async function load() {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return signedOut();
    if (state.loading) return;
    state.loading = true;
    const site = $('site').value;
    const period = $('period').value;
    const url = `/v1/sites/${encodeURIComponent(site)}/aggregates${period ? `?period=${encodeURIComponent(period)}` : ''}`;
    setStatus('Loading…');
    try {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
      const body = await res.json().catch(() => null);
      if (res.status === 401) return signedOut('That token was not accepted.');
      if (!res.ok) {
        setStatus(`Could not load aggregates: ${(body && (body.detail || body.title)) || res.statusText} (${res.status})`, true);
        return;
      }
      show($('login'), false);
      show($('content'), true);
      show($('controls'), true);
      updatePeriods(body);
      render(body);
      setStatus(`Showing ${site}${period ? ` on ${period}` : ', all days'}. Refreshes every ${REFRESH_MS / 1000} s.`);
    } catch (err) {
      setStatus(`The server did not answer (${err && err.message ? err.message : err}). Retrying.`, true);
    } finally {
      state.loading = false;
    }
  }

  function start() {
    clearInterval(state.timer);
    state.timer = setInterval(() => {
      if (document.visibilityState === 'visible') load();
    }, REFRESH_MS);
    load();
  }

  $('site').replaceChildren(...config.sites.map((s) => el('option', { value: s }, s)));
  $('login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    start();
  });
  $('signout').addEventListener('click', () => signedOut());
  $('refresh').addEventListener('click', () => load());
  $('site').addEventListener('change', () => {
    state.periods.clear();
    $('period').value = '';
    load();
  });
  $('period').addEventListener('change', () => load());
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  if (sessionStorage.getItem(TOKEN_KEY)) start();
  else signedOut();
})();
