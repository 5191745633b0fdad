// #/waterfall?FILTERS: the matching exchanges (a session, a time range...)
// as bars on one time axis, grouped by the connection they used; each bar
// shows send, wait and receive. The earliest 1000 are drawn.
'use strict';

TD.pages.waterfall = function (route, main, life) {
  const filters = TD.filtersOf(route.params);
  const bar = TD.filterBar(route.params, (f) => { location.hash = TD.link('waterfall', f); });
  const status = TD.el('p', { class: 'note', id: 'waterfall-status' }, 'Loading…');
  const chart = TD.el('div', { class: 'waterfall', id: 'waterfall' });
  main.append(TD.el('h1', {}, 'Waterfall'), bar, status, chart);
  const q = new URLSearchParams(filters);
  q.set('limit', '1000');
  TD.getJson('/api/waterfall?' + q.toString()).then((w) => {
    if (life.ended) return;
    if (!w.rows.length) { status.textContent = 'No exchanges match (with a start time).'; return; }
    const t0 = Math.min(...w.rows.map((r) => r.start_us));
    const t1 = Math.max(...w.rows.map((r) => r.end_us || r.first_byte_us || r.sent_us || r.start_us));
    const span = Math.max(1, t1 - t0);
    const pct = (us) => (100 * (us - t0)) / span;
    const groups = new Map();
    for (const r of w.rows) {
      if (!groups.has(r.connection)) groups.set(r.connection, []);
      groups.get(r.connection).push(r);
    }
    status.textContent = `${w.rows.length} exchanges on ${groups.size} connections over ${TD.ms(span / 1000)}` +
      (w.truncated ? ' (the earliest 1000; narrow the filter to see the rest)' : '');
    const axis = TD.el('div', { class: 'wf-axis' });
    for (let i = 0; i <= 4; i++) {
      const tick = TD.el('span', { class: 'wf-tick' }, '+' + TD.ms((span * i) / 4 / 1000));
      tick.style.left = (i * 25) + '%';
      axis.append(tick);
    }
    chart.append(TD.el('div', { class: 'wf-row wf-head' }, TD.el('div', { class: 'wf-label' }, 'connection / exchange'), axis));
    for (const [connection, rows] of groups) {
      chart.append(TD.el('div', { class: 'wf-group' }, connection));
      for (const r of rows) {
        const end = r.end_us || r.first_byte_us || r.sent_us || r.start_us;
        const track = TD.el('div', { class: 'wf-track' });
        const whole = TD.el('a', { class: 'wf-bar' + (r.failed ? ' failed' : ''), href: TD.link('exchange/' + r.id),
          title: `${r.method} ${r.host}${r.path} ${r.status === undefined ? '' : r.status} ${TD.ms((end - r.start_us) / 1000)}` });
        whole.style.left = pct(r.start_us) + '%';
        whole.style.width = Math.max(0.2, pct(end) - pct(r.start_us)) + '%';
        const segment = (from, to, name) => {
          if (from === undefined || to === undefined || to < from || end <= r.start_us) return;
          const s = TD.el('span', { class: 'seg seg-' + name });
          s.style.left = (100 * (from - r.start_us)) / (end - r.start_us) + '%';
          s.style.width = (100 * (to - from)) / (end - r.start_us) + '%';
          whole.append(s);
        };
        segment(r.start_us, r.sent_us, 'send');
        segment(r.sent_us, r.first_byte_us, 'wait');
        segment(r.first_byte_us, r.end_us, 'receive');
        track.append(whole);
        chart.append(TD.el('div', { class: 'wf-row', 'data-id': r.id },
          TD.el('div', { class: 'wf-label', title: r.host + r.path },
            TD.el('span', { class: TD.statusClass(r.status) }, r.status === undefined ? '—' : String(r.status)), ' ',
            r.method, ' ', r.path), track));
      }
    }
    document.body.dataset.loaded = 'waterfall';
  }).catch((e) => { status.replaceChildren(TD.errorBox(e)); });
};
