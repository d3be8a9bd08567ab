// The shop's own page script (what a merchant already has): cart buttons, checkout, the consent banner and the
// privacy page. Cart and order live in first-party cookies, so the shop's server only ever sees GETs.
(function () {
  'use strict';
  var CART = 'demo_cart';
  var ORDER = 'demo_order';
  var CONSENT = 'demo_consent';
  var YEAR = 31536000;

  function readCookie(name) {
    var match = document.cookie.split('; ').filter(function (c) { return c.indexOf(name + '=') === 0; })[0];
    return match ? decodeURIComponent(match.slice(name.length + 1)) : '';
  }
  function writeCookie(name, value, maxAge) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Path=/; SameSite=Lax; Max-Age=' + maxAge;
  }
  function readCart() {
    var lines = {};
    readCookie(CART).split('.').forEach(function (entry) {
      var m = /^([A-Za-z0-9_-]{1,40}):(\d{1,2})$/.exec(entry);
      if (m) lines[m[1]] = Math.min(99, (lines[m[1]] || 0) + Number(m[2]));
    });
    return lines;
  }
  function writeCart(lines) {
    var value = Object.keys(lines).filter(function (id) { return lines[id] > 0; }).map(function (id) { return id + ':' + lines[id]; }).join('.');
    writeCookie(CART, value, value ? YEAR : 0);
    var count = Object.keys(lines).reduce(function (s, id) { return s + lines[id]; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) { el.textContent = String(count); });
    return value;
  }
  function push(event, ecommerce) {
    window.dataLayer = window.dataLayer || [];
    window.dataLayer.push({ ecommerce: null });
    window.dataLayer.push({ event: event, ecommerce: ecommerce });
  }
  function itemFrom(el, quantity) {
    var d = el.dataset;
    return { item_id: d.addToCart || d.removeFromCart, item_name: d.name, item_brand: d.brand, item_category: d.category, item_category2: d.subcategory, price: Number(d.price), quantity: quantity };
  }
  function edgewiseCall(method, arg) {
    var ew = window.edgewise;
    if (Array.isArray(ew)) ew.push([method, arg]);
    else if (ew && method === 'consent.set' && ew.consent) ew.consent.set(arg);
  }

  document.addEventListener('click', function (ev) {
    var el = ev.target instanceof Element ? ev.target.closest('[data-add-to-cart],[data-remove-from-cart],[data-place-order],[data-consent-choice]') : null;
    if (!el) return;
    var d = el.dataset;
    if (d.addToCart) {
      var cart = readCart();
      cart[d.addToCart] = Math.min(99, (cart[d.addToCart] || 0) + 1);
      writeCart(cart);
      push('add_to_cart', { currency: d.currency, value: Number(d.price), items: [itemFrom(el, 1)] });
      var added = document.querySelector('[data-added]');
      if (added) added.hidden = false;
    } else if (d.removeFromCart) {
      var lines = readCart();
      var qty = lines[d.removeFromCart] || 1;
      delete lines[d.removeFromCart];
      writeCart(lines);
      push('remove_from_cart', { currency: d.currency, value: Number(d.price) * qty, items: [itemFrom(el, qty)] });
      var row = el.closest('tr');
      if (row) row.remove();
      if (!Object.keys(lines).length) location.reload();
    } else if (d.placeOrder !== undefined) {
      var order = writeCart(readCart());
      if (!order) return;
      var id = 'T' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 8);
      writeCookie(ORDER, id + '|' + order, 3600);
      writeCart({});
      location.assign('/thank-you');
    } else if (d.consentChoice) {
      writeCookie(CONSENT, d.consentChoice, YEAR);
      edgewiseCall('consent.set', d.consentChoice);
      var banner = document.querySelector('[data-consent-banner]');
      if (banner) banner.remove();
      showInventory();
    }
  });

  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { select.form && select.form.submit(); });
  });

  function showInventory() {
    var out = document.querySelector('[data-privacy-inventory]');
    if (!out) return;
    var tries = 0;
    (function attempt() {
      var ew = window.edgewise;
      if (ew && !Array.isArray(ew) && ew.privacy && ew.privacy.inventory) {
        Promise.resolve(ew.privacy.inventory()).then(function (inv) {
          out.textContent = JSON.stringify(inv, null, 2);
        }, function () { out.textContent = 'The inventory is not available.'; });
      } else if (tries++ < 50) setTimeout(attempt, 100);
      else out.textContent = 'Edgewise did not load on this page.';
    })();
  }
  showInventory();

  // The help box: edgewise.understand() classifies the question in the SDK's worker; the shop turns the intent
  // into the right link. Nothing typed here is sent to any server.
  var ANSWERS = {
    track_order: ['Track your order', '/cart'], delivery_period: ['Delivery times', '/privacy'], cancel_order: ['Cancel an order', '/cart'],
    change_order: ['Change an order', '/cart'], get_refund: ['Refunds', '/cart'], track_refund: ['Track a refund', '/cart'],
    check_payment_methods: ['Payment methods', '/checkout'], payment_issue: ['Payment problems', '/checkout'],
    change_shipping_address: ['Change the delivery address', '/checkout'], set_up_shipping_address: ['Add a delivery address', '/checkout']
  };
  var help = document.querySelector('form[data-help]');
  var answer = document.querySelector('[data-help-answer]');
  if (help && answer) help.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = help.elements.text.value;
    var ew = window.edgewise;
    answer.hidden = false;
    if (!ew || Array.isArray(ew) || !ew.understand) { answer.textContent = 'The assistant is still loading; try again in a moment.'; return; }
    answer.textContent = 'Thinking…';
    ew.understand(text).then(function (r) {
      answer.textContent = '';
      if (!r) { answer.textContent = 'Sorry, the assistant is not available on this device.'; return; }
      var head = document.createElement('p');
      head.innerHTML = 'It looks like: <b data-help-intent></b> <span class="muted" data-help-confidence></span>';
      head.querySelector('[data-help-intent]').textContent = r.intent.replace(/_/g, ' ');
      head.querySelector('[data-help-confidence]').textContent = '(' + Math.round(r.confidence * 100) + ' % sure)';
      answer.appendChild(head);
      var go = ANSWERS[r.intent];
      if (go) {
        var link = document.createElement('a');
        link.href = go[1];
        link.textContent = go[0] + ' →';
        answer.appendChild(link);
      }
      if (r.entities.length) {
        var list = document.createElement('ul');
        list.setAttribute('data-help-entities', '');
        r.entities.forEach(function (e) {
          var li = document.createElement('li');
          li.textContent = e.type.replace(/_/g, ' ') + ': ' + e.value;
          list.appendChild(li);
        });
        answer.appendChild(list);
      }
    });
  });
})();
