// Showing a body the API sent ({kind, text | base64, size, offset, end, ...}):
// JSON pretty-printed as a foldable tree, images decoded here into a Blob of
// a whitelisted image type (never a URL from the capture), HTML and any other
// text as text, other bytes as a hex dump. Nothing from a body is ever markup.
'use strict';

TD.IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp', 'image/avif', 'image/x-icon', 'image/vnd.microsoft.icon'];
const kHexDumpMax = 64 * 1024;
const kJsonNodesMax = 20000;

TD.base64Bytes = function (b64) {
  const raw = atob(b64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
};

TD.hexDump = function (bytes, offset) {
  const lines = [];
  const n = Math.min(bytes.length, kHexDumpMax);
  for (let i = 0; i < n; i += 16) {
    const row = bytes.subarray(i, Math.min(i + 16, n));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push((offset + i).toString(16).padStart(8, '0') + '  ' + hex.padEnd(48) + '  ' + ascii);
  }
  if (bytes.length > n) lines.push(`… ${bytes.length - n} more bytes not shown`);
  return TD.el('pre', { class: 'hex' }, lines.join('\n'));
};

// A foldable tree (<details> per object and array): no handlers needed.
TD.jsonTree = function (value) {
  let nodes = 0;
  const scalar = (v) => TD.el('span', { class: 'j-' + (v === null ? 'null' : typeof v) }, JSON.stringify(v));
  const build = (key, v, depth) => {
    nodes++;
    const label = key === null ? [] : [TD.el('span', { class: 'j-key' }, JSON.stringify(key)), ': '];
    if (v === null || typeof v !== 'object') return TD.el('div', { class: 'j-row' }, ...label, scalar(v));
    const isArray = Array.isArray(v);
    const entries = isArray ? v.map((x, i) => [i, x]) : Object.entries(v);
    const open = isArray ? '[' : '{';
    const close = isArray ? ']' : '}';
    const node = TD.el('details', { class: 'j-node', open: depth < 3 },
      TD.el('summary', {}, ...label, open, TD.el('span', { class: 'j-count' }, ` ${entries.length} ${isArray ? 'items' : 'keys'} `), close));
    for (const [k, x] of entries) {
      if (nodes > kJsonNodesMax) { node.append(TD.el('div', { class: 'note' }, '… (tree cut: too many nodes)')); break; }
      node.append(build(isArray ? null : k, x, depth + 1));
    }
    node.append(TD.el('div', { class: 'j-close' }, close));
    return node;
  };
  return TD.el('div', { class: 'json-tree' }, build(null, value, 0));
};

const mediaType = (contentType) => String(contentType || '').split(';')[0].trim().toLowerCase();

// `body` from the API, `contentType` the message's Content-Type header value.
TD.bodyView = function (body, contentType, life) {
  const box = TD.el('div', { class: 'body' });
  if (!body || body.kind === 'empty') { box.append(TD.el('p', { class: 'note' }, 'No body')); return box; }
  if (body.kind === 'not_captured') { box.append(TD.el('p', { class: 'note' }, `Not captured (${TD.bytes(body.size)})`)); return box; }
  const type = mediaType(contentType);
  const notes = [];
  if (body.size !== undefined) notes.push(`${TD.bytes(body.size)}`);
  if (type) notes.push(type);
  if (body.charset) notes.push('read as ' + body.charset);
  if (body.truncated) notes.push(`showing bytes ${body.offset}–${body.end}`);
  if (body.stored_partially) notes.push('the store kept only part of it');
  if (body.redacted) notes.push(`${body.redacted} secrets masked`);
  box.append(TD.el('p', { class: 'note body-info' }, notes.join(' · ')));
  if (body.kind === 'text') {
    const looksJson = type.includes('json') || /^\s*[[{]/.test(body.text);
    if (looksJson && !body.truncated) {
      try {
        const tree = TD.jsonTree(JSON.parse(body.text));
        box.append(tree);
        box.dataset.view = 'json';
        return box;
      } catch (e) { /* not JSON after all: shown as text */ }
    }
    box.dataset.view = type === 'text/html' ? 'html-source' : 'text';
    box.append(TD.el('pre', { class: 'text' }, body.text));
    return box;
  }
  const bytes = TD.base64Bytes(body.base64 || '');
  if (TD.IMAGE_TYPES.includes(type)) {
    const url = URL.createObjectURL(new Blob([bytes], { type }));
    if (life) life.onEnd(() => URL.revokeObjectURL(url));
    box.dataset.view = 'image';
    box.append(TD.el('img', { src: url, alt: 'response image (' + type + ')', class: 'preview' }));
    return box;
  }
  box.dataset.view = 'hex';
  box.append(TD.hexDump(bytes, body.offset || 0));
  return box;
};
