// #/exchanges?FILTERS&order=newest|oldest&follow=1: the exchanges table.
// Filters live in the URL; pages come from the server by cursor ("More");
// with follow on, new rows stored by a recorder are pushed by the server
// (Server-Sent Events, /api/tail) and shown as they arrive.
'use strict';

TD.exchangeRow = function (x) {
  const url = (x.path || '') + (x.query !== undefined ? '?' + x.query : '');
  const href = TD.link('exchange/' + x.id);
  return TD.el('tr', { 'data-id': x.id, class: x.error ? 'has-error' : null },
    TD.el('td', { class: 'num' }, TD.el('a', { href }, String(x.id))),
    TD.el('td', { class: 'time' }, TD.time(x.started_at)),
    TD.el('td', {}, x.method),
    TD.el('td', { class: 'host' }, x.host || ''),
    TD.el('td', { class: 'path' }, TD.el('a', { href, title: url }, url)),
    TD.el('td', { class: 'num ' + TD.statusClass(x.status) }, x.status === null ? (x.error ? 'error' : '—') : String(x.status)),
    TD.el('td', { class: 'num' }, TD.ms(x.duration_ms)),
    TD.el('td', { class: 'num' }, TD.bytes(x.resp_body_size)),
    TD.el('td', { class: 'type' }, x.resp_content_type || ''));
};

TD.pages.exchanges = function (route, main, life) {
  const params = route.params;
  const order = params.get('order') === 'oldest' ? 'oldest' : 'newest';
  const follow = params.get('follow') === '1';
  const filters = TD.filtersOf(params);

  const go = (next) => { location.hash = TD.link('exchanges', next); };
  const withState = (f, changes) => {
    const next = new URLSearchParams(f);
    if (order === 'oldest') next.set('order', 'oldest');
    if (follow) next.set('follow', '1');
    for (const [k, v] of Object.entries(changes || {})) { if (v) next.set(k, v); else next.delete(k); }
    return next;
  };

  const bar = TD.filterBar(params, (f) => go(withState(f)));
  const orderSelect = TD.el('select', { id: 'order', 'aria-label': 'Order' },
    TD.el('option', { value: 'newest' }, 'Newest first'), TD.el('option', { value: 'oldest' }, 'Oldest first'));
  orderSelect.value = order;
  orderSelect.addEventListener('change', () => go(withState(filters, { order: orderSelect.value === 'oldest' ? 'oldest' : '' })));
  const followBox = TD.el('input', { type: 'checkbox', id: 'follow' });
  followBox.checked = follow;
  followBox.addEventListener('change', () => go(withState(filters, { follow: followBox.checked ? '1' : '' })));
  const exportQuery = new URLSearchParams(filters).toString();
  const toolbar = TD.el('div', { class: 'toolbar' }, orderSelect,
    TD.el('label', { class: 'check' }, followBox, ' Live tail'),
    TD.el('span', { id: 'live-status', class: 'note' }),
    TD.el('a', { href: '/api/export.har' + (exportQuery ? '?' + exportQuery : ''), download: 'trafficdb-export.har', id: 'export-har' }, 'Export HAR'),
    TD.el('a', { href: TD.link('waterfall', filters) }, 'Waterfall'),
    TD.el('a', { href: TD.link('stats', filters) }, 'Statistics'));
  const status = TD.el('p', { class: 'note', id: 'exchanges-status' });
  const table = TD.el('table', { class: 'grid', id: 'exchanges' },
    TD.el('thead', {}, TD.el('tr', {},
      ['Id', 'Started', 'Method', 'Host', 'Path', 'Status', 'Duration', 'Size', 'Type'].map((h) => TD.el('th', {}, h)))));
  const body = TD.el('tbody');
  table.append(body);
  const more = TD.el('button', { id: 'more', hidden: true }, 'More');
  main.append(TD.el('h1', {}, 'Exchanges'), bar, toolbar, status, table, more);

  let cursor = null;
  let hasMore = false;
  let shown = 0;
  let latestSeen = 0;
  const seen = new Set();

  const load = async () => {
    const q = new URLSearchParams(filters);
    q.set('order', order);
    q.set('limit', '100');
    if (cursor !== null) q.set('cursor', String(cursor));
    const started = performance.now();
    try {
      const page = await TD.getJson('/api/exchanges?' + q.toString());
      if (life.ended) return;
      for (const x of page.items) {
        if (seen.has(x.id)) continue;
        seen.add(x.id);
        body.append(TD.exchangeRow(x));
        shown++;
      }
      if (cursor === null) latestSeen = page.latest_id;
      cursor = page.next_cursor !== undefined ? page.next_cursor : null;
      hasMore = page.has_more;
      more.hidden = !hasMore;
      status.textContent = `${shown} exchanges shown${hasMore ? ' (more below)' : ''} · ${Math.round(performance.now() - started)} ms`;
      if (!shown) status.textContent = 'No exchanges match.';
      document.body.dataset.loaded = 'exchanges';
      if (follow && !life.tailing) startTail(latestSeen);
    } catch (e) {
      status.replaceChildren(TD.errorBox(e));
    }
  };
  more.addEventListener('click', load);

  const liveStatus = toolbar.querySelector('#live-status');
  const startTail = (after) => {
    life.tailing = true;
    const q = new URLSearchParams(filters);
    q.set('after', String(after));
    const source = new EventSource('/api/tail?' + q.toString());
    life.onEnd(() => source.close());
    let arrived = 0;
    liveStatus.textContent = 'live: waiting for new exchanges';
    source.addEventListener('rows', (event) => {
      const data = JSON.parse(event.data);
      for (const x of data.items) {
        if (seen.has(x.id)) continue;
        seen.add(x.id);
        shown++;
        // Oldest first: new rows belong at the end, once the pages before them are all shown.
        if (order === 'newest') body.insertBefore(TD.exchangeRow(x), body.firstChild);
        else if (!hasMore) body.append(TD.exchangeRow(x));
        arrived++;
      }
      liveStatus.textContent = `live: ${arrived} new`;
    });
    source.addEventListener('failure', (event) => {
      liveStatus.replaceChildren(TD.errorBox(new Error(JSON.parse(event.data).error)));
      source.close();
    });
    source.addEventListener('error', () => { liveStatus.textContent = 'live: reconnecting…'; });
  };
  load();
};
