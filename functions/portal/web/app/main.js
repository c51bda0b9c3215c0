// The single-page app: routes in the browser (History API), draws the DKFDS
// frame around each page, switches language and theme, and watches the
// session to warn before it ends.

import { html, render } from './dom.js';
import { t, lang, setLang } from './i18n.js';
import { session, login, logout, config, audience } from './auth.js';
import { api } from './api.js';
import { area, setTheme, header, footer, sessionModal, initHeader, teardownHeader } from './layout.js';
import * as common from './pages/common.js';
import * as sender from './pages/sender.js';
import * as prepared from './pages/prepared.js';
import * as citizen from './pages/citizen.js';
import * as cztasks from './pages/cztasks.js';
import * as infoform from './pages/infoform.js';
import * as caseworker from './pages/caseworker.js';

const app = document.getElementById('app');
let sessionModalObj = null;
let warned = false;
let dpo = null;

function route(path, query, hash) {
  let m;
  if (path === '/' || path === '') return common.start();
  if (path === '/callback') return common.callback();
  if (path === '/logget-af') return common.loggedOut(query);
  if (path === '/nemrefusion') return sender.overview(query);
  if (path === '/nemrefusion/ny') return sender.choose();
  if ((m = /^\/nemrefusion\/ny\/([a-z-]+)\/tjek$/.exec(path))) return sender.check(m[1], query);
  if ((m = /^\/nemrefusion\/ny\/([a-z-]+)\/forbered$/.exec(path))) return prepared.prepare(m[1]);
  if ((m = /^\/nemrefusion\/forberedt\/([0-9a-f-]+)$/.exec(path))) return prepared.preparedView(m[1], query);
  if ((m = /^\/nemrefusion\/forberedt\/([0-9a-f-]+)\/ret$/.exec(path))) return prepared.openPrepared(m[1]);
  if (path === '/nemrefusion/beskeder') return prepared.messages();
  if ((m = /^\/nemrefusion\/ny\/([a-z-]+)\/(\d+)$/.exec(path))) return sender.step(m[1], m[2], hash);
  if ((m = /^\/nemrefusion\/kvittering\/([0-9a-f-]+)$/.exec(path))) return sender.receipt(m[1]);
  if ((m = /^\/nemrefusion\/fravaer\/([0-9a-f-]+)$/.exec(path))) return sender.caseView(m[1]);
  if ((m = /^\/nemrefusion\/fravaer\/([0-9a-f-]+)\/([a-z-]+)$/.exec(path))) return sender.followUp(m[1], m[2]);
  if (path === '/mit-sygefravaer') return citizen.myCase();
  if (path === '/mit-sygefravaer/status') return citizen.status();
  if (path === '/mit-sygefravaer/meld-dig-rask') return citizen.recovery();
  if (path === '/mit-sygefravaer/upload') return citizen.upload();
  if (path === '/mit-sygefravaer/delvist-genoptaget') return citizen.partial();
  if (path === '/mit-sygefravaer/fuldmagt') return citizen.proxy();
  if ((m = /^\/mit-sygefravaer\/kvittering\/([0-9a-f-]+)\/([0-9a-zA-Z-]+)$/.exec(path))) return citizen.receipt(m[1], m[2]);
  if ((m = /^\/mit-sygefravaer\/([0-9a-f-]+)\/opgave\/([a-z0-9-]+)$/.exec(path))) return cztasks.task(m[1], m[2]);
  if ((m = /^\/mit-sygefravaer\/([0-9a-f-]+)\/opgave\/([a-z0-9-]+)\/opsummering$/.exec(path))) return cztasks.summary(m[1], m[2], query);
  if ((m = /^\/mit-sygefravaer\/([0-9a-f-]+)\/oplysningsskema$/.exec(path))) return infoform.start(m[1]);
  if ((m = /^\/mit-sygefravaer\/([0-9a-f-]+)\/oplysningsskema\/opsummering$/.exec(path))) return infoform.summary(m[1], query);
  if ((m = /^\/mit-sygefravaer\/([0-9a-f-]+)\/oplysningsskema\/([a-zA-Z]+)$/.exec(path))) return infoform.section(m[1], m[2]);
  if (path === '/sagsbehandler') return caseworker.inbox();
  if ((m = /^\/sagsbehandler\/post\/(.+)$/.exec(path))) return caseworker.item(m[1].split('/').map(decodeURIComponent).join('/'));
  return common.staticPage(path) || common.notFound();
}

/** Everything a page's after() hook may use. */
function context(main) {
  return {
    el: main,
    go,
    config,
    show: (page) => { render(main, page.body); setTitle(page.title); focusHeading(); },
    handle: (need) => handleNeed(need),
    setTitle,
    focusHeading,
    errorSummary: () => {
      const el = main.querySelector('[data-module="error-summary"]');
      if (el && window.DKFDS) new window.DKFDS.ErrorSummary(el).init();
      else el?.focus();
    },
  };
}

function setTitle(title) {
  const a = area(location.pathname);
  const appName = a === 'mitsygefravaer' ? t('app.mitsygefravaer') : a === 'inbox' ? t('app.inbox') : t('app.nemrefusion');
  document.title = title && title !== appName ? `${title} – ${appName}` : appName;
}

function focusHeading() {
  const h = app.querySelector('main h1');
  if (h) { h.setAttribute('tabindex', '-1'); h.focus({ preventScroll: false }); }
}

function handleNeed(need) {
  if (need.redirect) { go(need.redirect, true); return true; }
  if (need.login) { login(location.pathname + location.search, false); return true; }
  if (need.forbidden) { draw(common.forbidden()); return true; }
  if (need.notFound) { draw(common.notFound()); return true; }
  return false;
}

async function loadDPO() {
  // The DPO of the citizen's municipality, from "Mit forløb" (each absence
  // names its municipality's link); kept for the session once known.
  const s = session();
  if (!s || audience(s.claims) !== 'citizen') return null;
  const cached = sessionStorage.getItem('nr.dpo');
  if (cached) return JSON.parse(cached);
  try {
    const ov = await api('GET', '/api/v1/citizen/absences');
    const d = ov?.absences?.find((a) => a.dpo)?.dpo;
    if (!d) return null;
    const v = { name: d.name, url: d.url || '' };
    if (!v.url && d.href) {
      try { v.url = (await api('GET', d.href)).url || ''; } catch { /* no link set: the seed's or the name is shown */ }
    }
    // A synthetic municipality without a link set: its synthetic DPO page.
    if (!v.url && d.seed) v.url = d.seed;
    sessionStorage.setItem('nr.dpo', JSON.stringify(v));
    return v;
  } catch {
    return null;
  }
}

function draw(page) {
  const path = location.pathname;
  const a = area(path);
  setTheme(a);
  document.documentElement.lang = lang();
  const s = session();
  const cfgWarn = 120;
  teardownHeader();
  render(app, html`${header(a, s, path + location.search)}
    <div class="container page-container">
      <main id="main-content" class="py-7">${page.body}</main>
    </div>
    ${footer(a, a === 'mitsygefravaer' ? dpo : null)}`);
  initHeader();
  render(document.getElementById('modals'), sessionModal(Math.round(cfgWarn / 60)));
  sessionModalObj = window.DKFDS ? new window.DKFDS.Modal(document.getElementById('session-modal')) : null;
  sessionModalObj?.init();
  warned = false;
  setTitle(page.title);
  const main = app.querySelector('main');
  if (page.after) {
    Promise.resolve(page.after(context(main))).catch((e) => {
      console.error(e);
      render(main, html`<h1 tabindex="-1">${t('error.generic')}</h1>`);
    });
  } else {
    focusHeading();
  }
}

async function show() {
  const url = new URL(location.href);
  const page = route(url.pathname.replace(/\/+$/, '') || '/', url.searchParams, url.hash);
  if (handleNeed(page)) return;
  if (area(url.pathname) === 'mitsygefravaer' && !dpo) {
    dpo = await loadDPO();
  }
  draw(page);
}

/** Navigates inside the app. */
export function go(to, replace) {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  show();
  window.scrollTo(0, 0);
}

document.addEventListener('click', (e) => {
  const a = e.target.closest('a');
  if (a && a.dataset.lang) {
    e.preventDefault();
    setLang(a.dataset.lang);
    show();
    document.querySelector(`.language-switcher a[data-lang="${a.dataset.lang}"]`)?.focus();
    return;
  }
  if (a && a.getAttribute('href')?.startsWith('/') && !a.target && !a.hasAttribute('download') && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
    e.preventDefault();
    const u = new URL(a.href);
    if (u.pathname === location.pathname && u.search === location.search && u.hash) {
      document.getElementById(u.hash.slice(1))?.focus();
      return;
    }
    go(u.pathname + u.search + u.hash);
    return;
  }
  const b = e.target.closest('button[data-action]');
  if (!b) return;
  switch (b.dataset.action) {
    case 'login': login(b.dataset.return || location.pathname, b.dataset.fresh === '1'); break;
    case 'logout': sessionModalObj?.hide(); logout(true); dpo = null; go('/logget-af', true); break;
    case 'stay': login(location.pathname + location.search, true); break;
    case 'print': window.print(); break;
    default:
  }
});

window.addEventListener('popstate', show);

// The session watch: a warning before the token expires, then log off.
setInterval(async () => {
  const raw = JSON.parse(sessionStorage.getItem('nr.session') || 'null');
  if (!raw) return;
  const left = raw.expiresAt - Date.now();
  let warn = 120;
  try { warn = (await config()).sessionWarningSeconds || 120; } catch { /* default */ }
  if (left <= 0) {
    sessionModalObj?.hide();
    logout(false);
    go('/logget-af?udloebet=1&til=' + encodeURIComponent(location.pathname), true);
  } else if (left <= warn * 1000 && !warned && sessionModalObj) {
    warned = true;
    sessionModalObj.show();
  }
}, 2000);

async function boot() {
  setLang(lang());
  try {
    const r = await fetch('/vendor/dkfds/img/all-svg-icons.svg');
    if (r.ok) document.getElementById('icons').innerHTML = await r.text();
  } catch { /* icons are decoration */ }
  show();
}

boot();
