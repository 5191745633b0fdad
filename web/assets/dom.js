// Shared by the pages: building DOM from data (text only, never markup),
// talking to the JSON API, the hash route, and formatting.
// Everything captured (URLs, headers, bodies) is untrusted: it only ever
// reaches the page through textContent, or as bytes the page decodes.
'use strict';

const TD = {};

// el('a', {href: '#/x', class: 'c'}, 'text', child): attributes are set
// one by one; `href` only to in-app (#...) or API (/api/...) addresses.
TD.el = function (tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'href' && !(String(value).startsWith('#') || String(value).startsWith('/api/'))) {
      throw new Error('refusing a link outside the app: ' + value);
    }
    if (name.startsWith('on')) throw new Error('no inline handlers');
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
};

TD.clear = function (node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
};

TD.main = () => document.getElementById('main');

// GET an API path; resolves with the JSON, rejects with an Error carrying the server's message.
TD.getJson = async function (path, init) {
  const res = await fetch(path, Object.assign({ credentials: 'same-origin' }, init || {}));
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new Error((body && body.error) || `HTTP ${res.status}`);
  return body;
};

TD.errorBox = (error) => TD.el('p', { class: 'error', role: 'alert' }, String(error.message || error));

// The route: '#/exchanges?host=x' -> {page: 'exchanges', rest: [], params: URLSearchParams}.
TD.route = function () {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  const parts = path.split('/').filter(Boolean);
  return { page: parts[0] || 'sessions', rest: parts.slice(1), params };
};

TD.link = (page, params) => {
  const s = params ? new URLSearchParams(params).toString() : '';
  return '#/' + page + (s ? '?' + s : '');
};

// The filter names of the API (web/filter_params.h); the first ones are shown, the rest folded.
TD.FILTERS = [
  ['session_id', 'Session', '3'], ['host', 'Host', '*.example.com'], ['method', 'Method', 'GET,POST'],
  ['status', 'Status', '5xx'], ['url_contains', 'URL contains', 'login'], ['resp_content_type', 'Response type', 'application/json'],
  ['has_error', 'Errors', ''], ['since', 'Since', '10m'], ['until', 'Until', ''],
  ['source', 'Source', 'pcap'], ['path_prefix', 'Path prefix', '/api/'], ['path_contains', 'Path contains', ''],
  ['path_glob', 'Path glob', '/api/*/items'], ['endpoint', 'Endpoint', 'GET /users/{id}'], ['url_regex', 'URL regex', ''],
  ['req_content_type', 'Request type', ''], ['header', 'Header', 'X-Request-Id'], ['body_contains', 'Body contains', ''],
  ['min_duration_ms', 'Min duration (ms)', ''], ['min_size', 'Min size (bytes)', ''], ['max_size', 'Max size (bytes)', ''],
];
TD.FILTER_NAMES = TD.FILTERS.map((f) => f[0]);

// The filters in `params` (URLSearchParams) with a value.
TD.filtersOf = function (params) {
  const out = new URLSearchParams();
  for (const name of TD.FILTER_NAMES) {
    const v = params.get(name);
    if (v) out.set(name, v);
  }
  return out;
};

// A filter bar: inputs named like the API's filters, filled from `params`;
// submitting calls onApply(URLSearchParams of the non-empty ones).
TD.filterBar = function (params, onApply, shown) {
  const shownCount = shown || 9;
  const form = TD.el('form', { class: 'filters', 'aria-label': 'Filters' });
  const field = ([name, label, example]) => {
    let input;
    if (name === 'has_error') {
      input = TD.el('select', { name, id: 'f-' + name },
        TD.el('option', { value: '' }, 'any'), TD.el('option', { value: 'true' }, 'only errors'),
        TD.el('option', { value: 'false' }, 'no errors'));
    } else {
      input = TD.el('input', { name, id: 'f-' + name, type: 'text', placeholder: example, autocomplete: 'off' });
    }
    input.value = params.get(name) || '';
    return TD.el('label', { class: 'field' }, TD.el('span', {}, label), input);
  };
  form.append(...TD.FILTERS.slice(0, shownCount).map(field));
  const more = TD.el('details', { class: 'more-filters' }, TD.el('summary', {}, 'More filters'),
    ...TD.FILTERS.slice(shownCount).map(field));
  if (TD.FILTERS.slice(shownCount).some(([n]) => params.get(n))) more.open = true;
  form.append(more);
  form.append(TD.el('button', { type: 'submit', id: 'apply-filters' }, 'Apply'),
    TD.el('button', { type: 'reset', id: 'clear-filters' }, 'Clear'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const out = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (String(value).trim()) out.set(name, String(value).trim());
    onApply(out);
  });
  form.addEventListener('reset', (e) => {
    e.preventDefault();
    onApply(new URLSearchParams());
  });
  return form;
};

// --- formatting -------------------------------------------------------------

TD.bytes = function (n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB';
  if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MiB';
  return (n / 1024 / 1024 / 1024).toFixed(2) + ' GiB';
};

TD.ms = (v) => (v === undefined || v === null ? '' : v < 10 ? v.toFixed(2) + ' ms' : v < 1000 ? v.toFixed(0) + ' ms' : (v / 1000).toFixed(2) + ' s');

// ISO-8601 with up to microseconds -> microseconds since the epoch (a Number).
TD.micros = function (iso) {
  if (!iso) return null;
  const m = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (!m) return Date.parse(iso) * 1000;
  const whole = Date.parse(m[1] + 'Z');
  const fraction = (m[2] || '').padEnd(6, '0').slice(0, 6);
  return whole * 1000 + Number(fraction);
};

TD.time = (iso) => (iso ? iso.replace('T', ' ').replace(/(\.\d{3})\d*Z$/, '$1Z') : '');

TD.statusClass = (s) => (s === null || s === undefined ? 'st-none' : s >= 500 ? 'st-5xx' : s >= 400 ? 'st-4xx' : s >= 300 ? 'st-3xx' : 'st-2xx');

TD.pages = {};
