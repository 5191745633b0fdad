// #/sessions: every session with its source, status, counts, size and
// capture integrity; refreshed every 2 s while one is recording. Sizes
// (which read every exchange row) come in a second request, once.
'use strict';

TD.pages.sessions = function (route, main, life) {
  const title = TD.el('h1', {}, 'Sessions');
  const summary = TD.el('p', { class: 'note', id: 'sessions-summary' });
  const table = TD.el('table', { class: 'grid', id: 'sessions' });
  main.append(title, summary, table);

  const integrityText = (integrity) => {
    if (!integrity) return '';
    const parts = [];
    for (const [k, v] of Object.entries(integrity)) {
      if (typeof v === 'number' && v !== 0) parts.push(k.replace(/_/g, ' ') + ': ' + v);
    }
    return parts.length ? parts.join(', ') : 'complete';
  };

  const render = (data) => {
    TD.clear(table);
    table.append(TD.el('thead', {}, TD.el('tr', {},
      ['Id', 'Name', 'Source', 'Status', 'Started', 'Exchanges', 'Errors', 'Size', 'Integrity', ''].map((h) => TD.el('th', {}, h)))));
    const body = TD.el('tbody');
    for (const s of data.sessions) {
      const del = TD.el('button', { class: 'danger', 'data-session': s.id }, 'Delete');
      del.addEventListener('click', async () => {
        if (!confirm(`Delete session ${s.id} (${s.exchange_count} exchanges)? This cannot be undone.`)) return;
        try {
          await TD.getJson('/api/sessions/' + s.id, { method: 'DELETE', headers: { 'X-Trafficdb-UI': '1' } });
          load();
        } catch (e) { summary.replaceChildren(TD.errorBox(e)); }
      });
      body.append(TD.el('tr', { 'data-id': s.id, class: 'status-' + s.status },
        TD.el('td', {}, TD.el('a', { href: TD.link('exchanges', { session_id: s.id }) }, String(s.id))),
        TD.el('td', {}, s.name || ''),
        TD.el('td', { title: s.source_uri || '' }, s.source || ''),
        TD.el('td', { class: 'session-status' }, s.status, s.error ? TD.el('div', { class: 'error-text' }, s.error) : null),
        TD.el('td', {}, TD.time(s.started_at)),
        TD.el('td', { class: 'num' }, String(s.exchange_count)),
        TD.el('td', { class: 'num' }, String(s.error_count)),
        TD.el('td', { class: 'num size' }, sizes ? TD.bytes(sizes.get(s.id) || 0) : '…'),
        TD.el('td', { class: 'integrity' }, integrityText(s.integrity)),
        TD.el('td', { class: 'actions' },
          TD.el('a', { href: TD.link('waterfall', { session_id: s.id }) }, 'waterfall'), ' ',
          TD.el('a', { href: TD.link('stats', { session_id: s.id }) }, 'stats'), ' ', del)));
    }
    table.append(body);
    const live = data.sessions.filter((s) => s.status === 'recording').length;
    document.body.dataset.loaded = sizes ? 'sessions-sized' : 'sessions';
    summary.textContent = `${data.sessions.length} sessions, database ${TD.bytes(data.database_bytes)}` +
      (live ? `, ${live} recording (updating)` : '');
  };

  let sizes = null;  // session id -> bytes
  const loadSizes = async () => {
    try {
      const data = await TD.getJson('/api/sessions?sizes=true');
      if (life.ended) return;
      sizes = new Map(data.sessions.map((s) => [s.id, s.bytes]));
      render(data);
    } catch (e) {
      summary.replaceChildren(TD.errorBox(e));
    }
  };

  const load = async () => {
    try {
      const data = await TD.getJson('/api/sessions');
      if (life.ended) return;
      render(data);
      if (data.sessions.some((s) => s.status === 'recording')) life.timer(load, 2000);
    } catch (e) {
      summary.replaceChildren(TD.errorBox(e));
    }
  };
  load().then(loadSizes);
};
