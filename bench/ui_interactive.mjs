// The web UI's time to interactive in headless Chromium (Debian's chromium,
// driven by puppeteer-core from tests/node/node_modules): for the exchanges
// page, from navigation start to the first rows shown (the page marks
// body[data-loaded="exchanges"]), and the DOMContentLoaded time; then each
// filter change made in the filter bar (type, Apply) until the new rows show.
// Median and max of --rounds fresh loads. Start the server yourself on a
// COPY of a big store:
//   ./build/trafficdb --db /tmp/q-ui.db ui --http 127.0.0.1:7412 &
//   node bench/ui_interactive.mjs --url http://127.0.0.1:7412/ --rounds 10
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/node/package.json'));
const puppeteer = require('puppeteer-core');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const url = arg('--url');
const rounds = Number(arg('--rounds', '10'));
const chromium = arg('--chromium', '/usr/bin/chromium');
if (!url) {
  console.error('usage: node bench/ui_interactive.mjs --url http://127.0.0.1:PORT/ [--rounds N] [--chromium PATH]');
  process.exit(2);
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)];
const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const interactive = [];
  const domReady = [];
  for (let i = 0; i < rounds; i++) {
    await page.goto('about:blank');
    await page.goto(url.replace(/\/?$/, '/') + '#/exchanges', { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.loaded === 'exchanges', { timeout: 30_000 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { dom: nav.domContentLoadedEventEnd, now: performance.now() };
    });
    domReady.push(t.dom);
    interactive.push(t.now);
  }
  const filters = [['#f-host', 'api.example.com'], ['#f-status', '5xx'], ['#f-method', 'POST'], ['#f-since', '2h']];
  const changes = [];
  for (const [selector, value] of filters) {
    await page.goto(url.replace(/\/?$/, '/') + '#/exchanges', { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => document.body.dataset.loaded === 'exchanges');
    await page.type(selector, value);
    const start = Date.now();
    await page.click('#apply-filters');
    await page.waitForFunction(() => document.body.dataset.loaded === 'exchanges', { timeout: 30_000 });
    changes.push([selector.slice(3) + '=' + value, Date.now() - start]);
  }
  const rows = await page.$$eval('#exchanges tbody tr', (r) => r.length);
  console.log(`exchanges page, ${rounds} fresh loads: first rows shown (interactive) median ${median(interactive).toFixed(0)} ms, ` +
    `max ${Math.max(...interactive).toFixed(0)} ms; DOMContentLoaded median ${median(domReady).toFixed(0)} ms`);
  for (const [name, ms] of changes) console.log(`filter change ${name}: rows shown after ${ms} ms`);
  console.log(JSON.stringify({ bench: 'ui_interactive', rounds, interactive_median_ms: median(interactive),
    interactive_max_ms: Math.max(...interactive), dom_content_loaded_median_ms: median(domReady),
    filter_changes_ms: Object.fromEntries(changes), last_rows: rows }));
} finally {
  await browser.close();
}
