// #/exchange/ID[?redact=false]: one exchange: request line, status, timings
// as a bar, headers, bodies, WebSocket messages, copy as curl, HAR export
// and a diff against another exchange (#/diff?a=ID&b=ID).
'use strict';

TD.headersTable = function (headers, id) {
  if (!headers || !headers.length) return TD.el('p', { class: 'note' }, 'No headers');
  return TD.el('table', { class: 'headers', id },
    TD.el('tbody', {}, headers.map(([name, value]) => TD.el('tr', {}, TD.el('th', {}, name), TD.el('td', {}, value)))));
};

const headerValue = (headers, name) => {
  for (const [n, v] of headers || []) if (n.toLowerCase() === name) return v;
  return '';
};

// Send / wait / receive as one bar, each part's width its share of the whole.
TD.timingBar = function (timings) {
  const t0 = TD.micros(timings.started_at);
  const sent = TD.micros(timings.request_sent_at);
  const first = TD.micros(timings.response_started_at);
  const end = TD.micros(timings.ended_at);
  const box = TD.el('div', { class: 'timings' });
  if (t0 === null || end === null || end <= t0) {
    box.append(TD.el('p', { class: 'note' }, 'Duration: ' + (TD.ms(timings.duration_ms) || 'unknown')));
    return box;
  }
  const total = end - t0;
  const parts = [];
  if (sent !== null && sent >= t0) parts.push(['send', sent - t0]);
  if (first !== null && first >= (sent !== null ? sent : t0)) parts.push(['wait', first - (sent !== null ? sent : t0)]);
  if (first !== null && end >= first) parts.push(['receive', end - first]);
  if (!parts.length) parts.push(['total', total]);
  const bar = TD.el('div', { class: 'bar', role: 'img', 'aria-label': 'timings' });
  for (const [name, us] of parts) {
    const seg = TD.el('span', { class: 'seg seg-' + name, title: `${name}: ${TD.ms(us / 1000)}` });
    seg.style.width = Math.max(0.5, (100 * us) / total) + '%';
    bar.append(seg);
  }
  box.append(bar, TD.el('p', { class: 'legend' },
    parts.map(([name, us]) => TD.el('span', { class: 'key key-' + name }, `${name} ${TD.ms(us / 1000)}`)),
    TD.el('span', {}, ` total ${TD.ms(total / 1000)}`)));
  return box;
};

TD.pages.exchange = function (route, main, life) {
  const id = Number(route.rest[0]);
  const redact = route.params.get('redact') !== 'false';
  if (!Number.isSafeInteger(id) || id <= 0) { main.append(TD.el('p', { class: 'error' }, 'No such exchange')); return; }
  main.append(TD.el('p', { class: 'note' }, 'Loading exchange ', String(id), '…'));
  TD.getJson(`/api/exchanges/${id}?redact=${redact}`).then((x) => {
    if (life.ended) return;
    TD.clear(main);
    const rs = x.response;
    main.append(TD.el('h1', { class: 'request-line' },
      TD.el('span', { class: 'method' }, x.method), ' ', TD.el('span', { class: 'url', id: 'exchange-url' }, x.url)));
    main.append(TD.el('p', { class: 'summary' },
      TD.el('span', { class: 'status ' + TD.statusClass(rs ? rs.status : null), id: 'exchange-status' },
        rs ? `${rs.status} ${rs.status_text || ''}` : 'no response'),
      ` · ${x.http_version || ''} · exchange ${x.id} in `,
      TD.el('a', { href: TD.link('exchanges', { session_id: x.session_id }) }, `session ${x.session_id}`),
      x.server_addr ? ` · server ${x.server_addr}` : '', x.client_addr ? ` · client ${x.client_addr}` : ''));
    if (x.error) main.append(TD.el('p', { class: 'error', id: 'exchange-error' }, x.error));

    // Actions.
    const curlOut = TD.el('pre', { class: 'curl', id: 'curl', hidden: true });
    const curlButton = TD.el('button', { id: 'copy-curl' }, 'Copy as curl');
    curlButton.addEventListener('click', async () => {
      try {
        const r = await TD.getJson(`/api/exchanges/${id}/curl?redact=${redact}`);
        curlOut.textContent = r.command;
        curlOut.hidden = false;
        if (navigator.clipboard) await navigator.clipboard.writeText(r.command).catch(() => {});
      } catch (e) { curlOut.hidden = false; curlOut.textContent = String(e.message); }
    });
    const diffInput = TD.el('input', { type: 'number', min: '1', id: 'diff-with', placeholder: 'exchange id', 'aria-label': 'Diff with exchange' });
    const diffForm = TD.el('form', { class: 'inline' }, TD.el('button', { type: 'submit' }, 'Diff with'), diffInput);
    diffForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (diffInput.value) location.hash = TD.link('diff', { a: id, b: diffInput.value });
    });
    const secrets = redact
      ? TD.el('a', { href: TD.link('exchange/' + id, { redact: 'false' }), id: 'show-secrets' }, 'Show secrets')
      : TD.el('a', { href: TD.link('exchange/' + id) }, 'Mask secrets');
    main.append(TD.el('div', { class: 'toolbar' }, curlButton,
      TD.el('a', { href: `/api/exchanges/${id}/har?redact=${redact}`, download: `exchange-${id}.har`, id: 'export-har' }, 'Export HAR'),
      diffForm, secrets,
      TD.el('a', { href: TD.link('exchange/' + (id - 1)) }, '← previous'),
      TD.el('a', { href: TD.link('exchange/' + (id + 1)) }, 'next →')), curlOut);

    if (x.timings) main.append(TD.el('section', {}, TD.el('h2', {}, 'Timings'), TD.timingBar(x.timings)));
    const reqType = headerValue(x.request.headers, 'content-type');
    main.append(TD.el('section', { id: 'request' }, TD.el('h2', {}, 'Request'),
      TD.el('h3', {}, 'Headers'), TD.headersTable(x.request.headers, 'request-headers'),
      TD.el('h3', {}, 'Body'), TD.bodyView(x.request.body, reqType, life)));
    if (rs) {
      const respType = headerValue(rs.headers, 'content-type');
      const respBody = TD.bodyView(rs.body, respType, life);
      respBody.id = 'response-body';
      main.append(TD.el('section', { id: 'response' }, TD.el('h2', {}, 'Response'),
        TD.el('h3', {}, 'Headers'), TD.headersTable(rs.headers, 'response-headers'),
        TD.el('h3', {}, 'Body'), respBody));
    }
    if (x.websocket) {
      const ws = x.websocket;
      const rows = ws.messages.map((m) => TD.el('tr', {},
        TD.el('td', {}, TD.time(m.at)), TD.el('td', {}, m.sender), TD.el('td', { class: 'num' }, String(m.opcode)),
        TD.el('td', { class: 'num' }, TD.bytes(m.size)),
        TD.el('td', {}, m.kind === 'text' ? TD.el('pre', { class: 'text' }, m.text)
          : m.kind === 'binary' ? TD.hexDump(TD.base64Bytes(m.base64), 0) : '')));
      main.append(TD.el('section', { id: 'websocket' }, TD.el('h2', {}, `WebSocket messages (${ws.message_count})`),
        ws.truncated ? TD.el('p', { class: 'note' }, `showing the first ${ws.messages.length}`) : null,
        TD.el('table', { class: 'grid' }, TD.el('thead', {}, TD.el('tr', {}, ['At', 'From', 'Opcode', 'Size', 'Payload'].map((h) => TD.el('th', {}, h)))),
          TD.el('tbody', {}, rows))));
    }
    if (x.details) main.append(TD.el('section', {}, TD.el('h2', {}, 'Source details'), TD.jsonTree(x.details)));
    document.body.dataset.loaded = 'exchange';
  }).catch((e) => { TD.clear(main).append(TD.errorBox(e)); });
};

TD.pages.diff = function (route, main, life) {
  const a = route.params.get('a');
  const b = route.params.get('b');
  main.append(TD.el('h1', {}, 'Diff of exchanges ', TD.el('a', { href: TD.link('exchange/' + Number(a)) }, String(Number(a))), ' and ',
    TD.el('a', { href: TD.link('exchange/' + Number(b)) }, String(Number(b)))));
  const out = TD.el('pre', { class: 'diff', id: 'diff' }, 'Loading…');
  main.append(out);
  TD.getJson('/api/diff?' + new URLSearchParams({ a: String(Number(a)), b: String(Number(b)) }).toString()).then((r) => {
    if (life.ended) return;
    TD.clear(out);
    for (const line of r.text.split('\n')) {
      const cls = line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') || /^\S/.test(line) ? 'hunk' : null;
      out.append(TD.el('span', { class: cls }, line), '\n');
    }
    document.body.dataset.loaded = 'diff';
  }).catch((e) => { out.replaceChildren(TD.errorBox(e)); });
};
