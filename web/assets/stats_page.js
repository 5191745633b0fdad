// #/stats?FILTERS&group=endpoint: requests and errors over time, latency
// p50/p95 by endpoint (or another grouping) and the status mix, as charts
// (Chart.js from Debian, embedded) with the numbers in a table below.
'use strict';

TD.pages.stats = function (route, main, life) {
  const filters = TD.filtersOf(route.params);
  const group = route.params.get('group') || 'endpoint';
  const bar = TD.filterBar(route.params, (f) => {
    if (group !== 'endpoint') f.set('group', group);
    location.hash = TD.link('stats', f);
  });
  const groupSelect = TD.el('select', { id: 'group', 'aria-label': 'Group by' },
    ['endpoint', 'host', 'path', 'host_path', 'method', 'status', 'content_type'].map((g) => TD.el('option', { value: g }, 'by ' + g)));
  groupSelect.value = group;
  groupSelect.addEventListener('change', () => {
    const next = new URLSearchParams(filters);
    if (groupSelect.value !== 'endpoint') next.set('group', groupSelect.value);
    location.hash = TD.link('stats', next);
  });
  const status = TD.el('p', { class: 'note', id: 'stats-status' }, 'Counting…');
  const canvas = (id) => TD.el('div', { class: 'chart' }, TD.el('canvas', { id }));
  const over = canvas('chart-timeline');
  const latency = canvas('chart-latency');
  const mix = canvas('chart-status');
  const table = TD.el('table', { class: 'grid', id: 'stats-table' });
  main.append(TD.el('h1', {}, 'Statistics'), bar, TD.el('div', { class: 'toolbar' }, groupSelect), status,
    TD.el('h2', {}, 'Requests and errors over time'), over,
    TD.el('div', { class: 'charts-row' },
      TD.el('div', {}, TD.el('h2', {}, 'Latency p50 / p95 ', TD.el('span', { id: 'group-name' }, 'by ' + group)), latency),
      TD.el('div', {}, TD.el('h2', {}, 'Status mix'), mix)),
    table);

  const charts = [];
  life.onEnd(() => charts.forEach((c) => c.destroy()));
  const q = new URLSearchParams(filters);
  q.set('group', group);
  q.set('limit', '30');
  TD.getJson('/api/stats?' + q.toString()).then((s) => {
    if (life.ended) return;
    const g = s.by_group;
    status.textContent = `${g.total} exchanges` + (g.partial || s.timeline.partial ? ' (partial: the time limit stopped the count)' : '') +
      (s.timeline.width_ms ? ` · buckets of ${TD.ms(s.timeline.width_ms)}` : '');
    const groups = g.items;
    if (typeof Chart === 'undefined') throw new Error('Chart.js did not load');
    Chart.defaults.animation = false;
    const buckets = s.timeline.buckets;
    charts.push(new Chart(over.querySelector('canvas'), {
      type: 'line',
      data: {
        labels: buckets.map((b) => TD.time(b.start)),
        datasets: [
          { label: 'requests', data: buckets.map((b) => b.count), borderColor: '#3b6ea8', backgroundColor: '#3b6ea833', fill: true, pointRadius: 0 },
          { label: 'errors (5xx, failed)', data: buckets.map((b) => b.errors), borderColor: '#c0392b', pointRadius: 0 },
          { label: '4xx', data: buckets.map((b) => b.client_errors), borderColor: '#d68910', pointRadius: 0 },
        ],
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    }));
    const top = groups.slice(0, 20);
    charts.push(new Chart(latency.querySelector('canvas'), {
      type: 'bar',
      data: {
        labels: top.map((r) => r.key),
        datasets: [
          { label: 'p50 ms', data: top.map((r) => r.p50_ms), backgroundColor: '#3b6ea8' },
          { label: 'p95 ms', data: top.map((r) => r.p95_ms), backgroundColor: '#a9c4e4' },
        ],
      },
      options: { indexAxis: 'y', maintainAspectRatio: false },
    }));
    const statuses = s.by_status.items;
    const colour = (k) => (k.startsWith('5') ? '#c0392b' : k.startsWith('4') ? '#d68910' : k.startsWith('3') ? '#7f8c8d' : k.startsWith('2') ? '#27ae60' : '#34495e');
    charts.push(new Chart(mix.querySelector('canvas'), {
      type: 'doughnut',
      data: { labels: statuses.map((r) => r.key), datasets: [{ data: statuses.map((r) => r.count), backgroundColor: statuses.map((r) => colour(String(r.key))) }] },
      options: { maintainAspectRatio: false },
    }));
    table.append(TD.el('thead', {}, TD.el('tr', {}, [group, 'Count', 'Errors', '4xx', 'Error rate', 'p50', 'p95', 'Max', 'Bytes'].map((h) => TD.el('th', {}, h)))),
      TD.el('tbody', {}, groups.map((r) => TD.el('tr', {},
        TD.el('td', {}, r.key), TD.el('td', { class: 'num' }, String(r.count)), TD.el('td', { class: 'num' }, String(r.errors)),
        TD.el('td', { class: 'num' }, String(r.client_errors)), TD.el('td', { class: 'num' }, (100 * r.error_rate).toFixed(1) + '%'),
        TD.el('td', { class: 'num' }, TD.ms(r.p50_ms)), TD.el('td', { class: 'num' }, TD.ms(r.p95_ms)),
        TD.el('td', { class: 'num' }, TD.ms(r.max_ms)), TD.el('td', { class: 'num' }, TD.bytes(r.response_bytes))))));
    document.body.dataset.loaded = 'stats';
  }).catch((e) => { status.replaceChildren(TD.errorBox(e)); });
};
