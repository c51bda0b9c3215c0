// The page frame in DKFDS markup: skip link, language switcher, header
// (portal info with the user and log-off, solution info, main menu), main
// content, footer (with the municipality's DPO for citizens) and the
// session-timeout dialog. Below DKFDS's large breakpoint (992 px) the
// header's user, log-off and main menu are hidden by DKFDS; its mobile
// menu (the "Menu" button opening the mobile drawer: menu, the user and
// log-off, the languages) makes them reachable (initHeader).

import { html, icon } from './dom.js';
import { t, lang, LANGS } from './i18n.js';
import { audience } from './auth.js';

/** The app a path belongs to: 'nemrefusion', 'mitsygefravaer' or 'inbox'. */
export function area(path) {
  if (path.startsWith('/mit-sygefravaer')) return 'mitsygefravaer';
  if (path.startsWith('/sagsbehandler')) return 'inbox';
  return 'nemrefusion';
}

/** Sets the DKFDS theme: Borger.dk for citizens, Virk for everyone else. */
export function setTheme(a) {
  const href = a === 'mitsygefravaer' ? '/vendor/dkfds/css/dkfds-borgerdk.min.css' : '/vendor/dkfds/css/dkfds-virkdk.min.css';
  const link = document.getElementById('theme');
  if (link.getAttribute('href') !== href) link.setAttribute('href', href);
}

function languageSwitcher(path) {
  return html`<div class="language-switcher d-print-none">
    <div class="container">
      <ul aria-label="${t('lang.label')}">
        ${LANGS.map((l) => html`<li><a href="${path}" data-lang="${l}" lang="${l}"${l === lang() ? html` aria-current="true"` : ''}>${l === lang() ? icon('check') : ''}${t('lang.' + l)}</a></li>`)}
      </ul>
    </div>
  </div>`;
}

/** The main menu's items [path, text] and the current one. */
function menuItems(a, s, path) {
  const items = [];
  const who = s ? audience(s.claims) : null;
  if (a === 'nemrefusion' && who === 'sender') {
    items.push(['/nemrefusion', t('menu.overview')], ['/nemrefusion/ny', t('menu.new')]);
  } else if (a === 'mitsygefravaer' && who === 'citizen') {
    items.push(['/mit-sygefravaer', t('menu.myCase')]);
  } else if (a === 'inbox' && who === 'caseworker') {
    items.push(['/sagsbehandler', t('menu.inbox')]);
  }
  const current = items.reduce((best, it) => (path.startsWith(it[0]) && it[0].length > (best?.[0].length || 0) ? it : best), null);
  return { items, current };
}

function menu(a, s, path) {
  const { items, current } = menuItems(a, s, path);
  if (!items.length) return '';
  return html`<div class="navigation-menu d-print-none">
    <div class="navigation-menu-inner container">
      <nav class="nav" aria-label="${t('menu.main')}">
        <ul class="mainmenu">
          ${items.map((it) => html`<li${it === current ? html` class="active current"` : ''}><a href="${it[0]}" class="nav-link"${it === current ? html` aria-current="page"` : ''}><span>${it[1]}</span></a></li>`)}
        </ul>
      </nav>
    </div>
  </div>`;
}

function userLine(s) {
  const c = s.claims;
  const who = c.name || '';
  const info = c.cvr ? `${t('form.cvr')} ${c.cvr}` : (c.municipality ? `${t('app.inbox')} ${c.municipality}` : '');
  return info ? `${who}, ${info}` : who;
}

/** The header markup for area a and session s (or null). */
export function header(a, s, path) {
  const title = a === 'mitsygefravaer' ? t('app.mitsygefravaer') : a === 'inbox' ? t('app.inbox') : t('app.nemrefusion');
  const home = a === 'mitsygefravaer' ? '/mit-sygefravaer' : a === 'inbox' ? '/sagsbehandler' : '/';
  const logoLabel = a === 'mitsygefravaer' ? t('logo.borger') : t('logo.virk');
  return html`<a class="skipnav" href="#main-content">${t('skip')}</a>
  ${languageSwitcher(path)}
  <header class="header">
    <div class="portal-info">
      <div class="portal-info-inner container">
        <a href="/" title="${logoLabel}" aria-label="${logoLabel}" class="logo"><span>${logoLabel}</span></a>
        <div class="portal-user">
          ${s ? html`<p class="user">${userLine(s)}</p>
          <button type="button" class="function-link d-print-none log-off" data-action="logout">${icon('lock')}${t('logout')}</button>`
            : html`<button type="button" class="function-link d-print-none log-on" data-action="login">${icon('lock')}${t('login')}</button>`}
        </div>
        <button type="button" class="button button-secondary button-menu-open js-menu-open ml-auto d-print-none" aria-haspopup="dialog" aria-controls="mobile-drawer">${icon('menu')}${t('menu.mobile.open')}</button>
      </div>
    </div>
    <div class="solution-info">
      <div class="solution-info-inner container">
        <div class="solution-heading"><a href="${home}">${title}</a></div>
        <div class="additional-info">
          <p><strong class="authority-name">${t('app.authority')}</strong></p>
          <p>${t('app.authority.text')}</p>
        </div>
      </div>
    </div>
    ${menu(a, s, path)}
    ${mobileDrawer(a, s, path, title)}
  </header>
  <div class="overlay d-print-none"></div>`;
}

/**
 * DKFDS's mobile drawer: what the header shows on a wide screen, for a
 * narrow one (the main menu, the user and log-off or log-on, the
 * languages). DKFDS opens and closes it (the "Menu" and "Luk" buttons, the
 * overlay, Escape) and keeps the focus in it while it is open.
 */
function mobileDrawer(a, s, path, title) {
  const { items, current } = menuItems(a, s, path);
  return html`<div class="mobile-drawer d-print-none" id="mobile-drawer" role="dialog" aria-modal="true" aria-labelledby="mobile-drawer-heading">
    <div class="menu-top">
      <h2 class="menu-heading h5 m-0" id="mobile-drawer-heading">${t('menu.mobile.heading')}</h2>
      <button type="button" class="function-link button-menu-close js-menu-close">${icon('close')}${t('menu.mobile.close')}</button>
    </div>
    <div class="solution-info-mobile">
      <p class="h5 m-0">${title}</p>
      <p class="m-0">${t('app.authority')}</p>
    </div>
    ${items.length ? html`<nav class="navigation-menu-mobile" aria-label="${t('menu.main')}">
      <ul class="mainmenu">
        ${items.map((it) => html`<li${it === current ? html` class="active current"` : ''}><a href="${it[0]}" class="nav-link"${it === current ? html` aria-current="page"` : ''}><span>${it[1]}</span></a></li>`)}
      </ul>
    </nav>` : ''}
    <div class="portal-info-mobile">
      ${s ? html`<p class="user">${userLine(s)}</p>
      <button type="button" class="function-link log-off" data-action="logout">${icon('lock')}${t('logout')}</button>`
    : html`<button type="button" class="function-link log-on" data-action="login">${icon('lock')}${t('login')}</button>`}
    </div>
    <div class="language-switcher-mobile">
      <h3 class="h6">${t('lang.label')}</h3>
      <ul>
        ${LANGS.map((l) => html`<li><a href="${path}" data-lang="${l}" lang="${l}"${l === lang() ? html` aria-current="true"` : ''}>${l === lang() ? icon('check') : ''}${t('lang.' + l)}</a></li>`)}
      </ul>
    </div>
  </div>`;
}

// DKFDS's header behaviour of the drawn page (initHeader).
let navigation = null;

/**
 * Stops DKFDS's header behaviour before the header is drawn again: its
 * window listeners read the main menu they started on, which a page
 * without one (logged off) no longer has.
 */
export function teardownHeader() {
  navigation?.teardown();
  navigation = null;
}

/**
 * Starts DKFDS's header behaviour on a drawn page (the mobile menu; the
 * main menu's overflow). Called after every draw: a redraw replaces the
 * header, so a drawer left open (a language chosen in it) is closed.
 */
export function initHeader() {
  document.body.classList.remove('mobile-nav-active');
  if (!window.DKFDS?.Navigation) return;
  navigation = new window.DKFDS.Navigation();
  navigation.init();
}

/** The footer markup; dpo is {name, url} of the citizen's municipality or null. */
export function footer(a, dpo) {
  return html`<footer>
    <div class="footer">
      <div class="container">
        <div class="row">
          <div class="col-12 col-md-6 footer-col">
            <section>
              <h2 class="h5">${a === 'mitsygefravaer' ? t('app.mitsygefravaer') : t('app.nemrefusion')}</h2>
              <p>${t('footer.about')}</p>
            </section>
          </div>
          <div class="col-12 col-md-6 footer-col">
            <section>
              <h2 class="h5">${t('footer.heading')}</h2>
              ${a === 'mitsygefravaer' || dpo ? html`<p id="dpo">${dpo ? (dpo.url ? html`${t('footer.dpo')}: <a href="${dpo.url}" id="dpo-link">${dpo.name}</a>` : html`${t('footer.dpo')}: ${dpo.name}. ${t('footer.dpo.noLink')}`) : t('footer.dpo.none')}</p>` : ''}
              <ul class="unstyled-list">
                <li><a href="/tilgaengelighed">${t('footer.a11y')}</a></li>
                <li><a href="/privatliv">${t('footer.privacy')}</a></li>
              </ul>
            </section>
          </div>
        </div>
      </div>
    </div>
  </footer>`;
}

/** The session-timeout dialog (DKFDS modal), hidden until shown. */
export function sessionModal(minutes) {
  return html`<div class="fds-modal" id="session-modal" aria-hidden="true" role="dialog" aria-modal="true" aria-labelledby="session-modal-heading" data-modal-forced-action>
    <div class="modal-content">
      <div class="modal-header">
        <h2 class="modal-title" id="session-modal-heading">${t('session.title')}</h2>
      </div>
      <div class="modal-body"><p>${t('session.text', { minutes })}</p></div>
      <div class="modal-footer">
        <button type="button" class="button button-primary" data-action="stay">${t('session.stay')}</button>
        <button type="button" class="button button-secondary" data-action="logout">${t('session.leave')}</button>
      </div>
    </div>
  </div>`;
}
