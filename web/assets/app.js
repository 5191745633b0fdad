// The router: the hash names the page and its state (#/exchanges?host=x),
// so every page can be bookmarked and shared. A page gets a `life` that
// ends when the route changes (its timers and live streams stop).
'use strict';

(function () {
  let current = null;

  const newLife = () => {
    const life = { ended: false, cleanups: [] };
    life.onEnd = (fn) => life.cleanups.push(fn);
    life.timer = (fn, ms) => { const t = setTimeout(fn, ms); life.onEnd(() => clearTimeout(t)); };
    life.end = () => { life.ended = true; for (const fn of life.cleanups) fn(); };
    return life;
  };

  const show = () => {
    if (current) current.end();
    current = newLife();
    delete document.body.dataset.loaded;  // each page sets it once it shows its data
    const route = TD.route();
    const main = TD.clear(TD.main());
    for (const a of document.querySelectorAll('nav a')) {
      a.classList.toggle('active', a.dataset.page === route.page || (route.page === 'exchange' && a.dataset.page === 'exchanges'));
    }
    const page = TD.pages[route.page];
    if (!page) {
      main.append(TD.el('p', { class: 'error' }, 'No such page: ', route.page));
      return;
    }
    document.title = 'trafficdb: ' + route.page;
    try {
      page(route, main, current);
    } catch (e) {
      main.append(TD.errorBox(e));
    }
  };

  window.addEventListener('hashchange', show);
  show();
})();
