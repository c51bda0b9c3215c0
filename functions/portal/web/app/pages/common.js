// Pages every user meets: the start page, the login callback, logged out,
// not found, no access, and the static pages of the footer.

import { html } from '../dom.js';
import { t } from '../i18n.js';
import { session, finishLogin, audience } from '../auth.js';

/** The home of a session's role. */
export function homeOf(s) {
  switch (audience(s?.claims)) {
    case 'sender': return '/nemrefusion';
    case 'citizen': return '/mit-sygefravaer';
    case 'caseworker': return '/sagsbehandler';
    default: return '/';
  }
}

export function start() {
  const s = session();
  if (s && homeOf(s) !== '/') return { redirect: homeOf(s) };
  return {
    title: t('start.title'),
    body: html`<h1 tabindex="-1">${t('start.title')}</h1>
      <p class="font-lead">${t('start.lead')}</p>
      <div class="row">
        ${[['sender', '/nemrefusion'], ['citizen', '/mit-sygefravaer'], ['caseworker', '/sagsbehandler']].map(([k, to]) => html`
        <div class="col-12 col-md-4 mb-5">
          <div class="card">
            <div class="card-content">
              <h2 class="card-heading">${t('start.' + k)}</h2>
              <p>${t('start.' + k + '.text')}</p>
              <button type="button" class="button button-primary" data-action="login" data-return="${to}" id="login-${k}">${t('login')}</button>
            </div>
          </div>
        </div>`)}
      </div>
      <p class="form-hint">${t('start.dev')}</p>`,
  };
}

export function callback() {
  return {
    title: t('callback.title'),
    body: html`<h1 tabindex="-1">${t('callback.title')}</h1><p>${t('loading')}</p>`,
    async after(ctx) {
      try {
        const to = await finishLogin(new URLSearchParams(location.search));
        const s = session();
        ctx.go(to === '/' ? homeOf(s) : to, true);
      } catch (e) {
        ctx.show({
          title: t('callback.failed'),
          body: html`<h1 tabindex="-1">${t('callback.failed')}</h1>
            <div class="alert alert-warning" role="alert"><div class="alert-body"><p class="alert-text">${e.cancelled ? t('callback.cancelled') : t('callback.failed.text')}</p></div></div>
            <p class="mt-5"><button type="button" class="button button-primary" data-action="login" data-return="${e.returnTo || '/'}">${t('login')}</button></p>`,
        });
      }
    },
  };
}

export function loggedOut(query) {
  const expired = query.has('udloebet');
  return {
    title: expired ? t('loggedout.expired.title') : t('loggedout.title'),
    body: html`<h1 tabindex="-1">${expired ? t('loggedout.expired.title') : t('loggedout.title')}</h1>
      <p>${expired ? t('loggedout.expired.text') : t('loggedout.text')}</p>
      <p><button type="button" class="button button-primary" data-action="login" data-return="${query.get('til') || '/'}">${t('loggedout.again')}</button></p>`,
  };
}

export function notFound() {
  return {
    title: t('notfound.title'),
    body: html`<h1 tabindex="-1">${t('notfound.title')}</h1><p>${t('notfound.text')}</p><p><a href="/">${t('notfound.home')}</a></p>`,
  };
}

export function forbidden() {
  return {
    title: t('forbidden.title'),
    body: html`<h1 tabindex="-1">${t('forbidden.title')}</h1><p>${t('forbidden.text')}</p>`,
  };
}

const statics = {
  '/tilgaengelighed': {
    da: ['Tilgængelighedserklæring', 'Løsningen er bygget på Det Fælles Designsystem og testes automatisk med axe-core mod WCAG 2.1 niveau A og AA i både dansk og engelsk. Alle formularer kan udfyldes med tastaturet alene.'],
    en: ['Accessibility statement', 'The service is built on Det Fælles Designsystem and tested automatically with axe-core against WCAG 2.1 level A and AA in both Danish and English. Every form can be completed with the keyboard alone.'],
  },
  '/privatliv': {
    da: ['Privatlivspolitik', 'Oplysningerne i en anmeldelse bruges til at behandle sagen om sygedagpenge og refusion. Hver læsning af personoplysninger registreres. Din kommunes databeskyttelsesrådgiver kan svare på spørgsmål om dine oplysninger.'],
    en: ['Privacy policy', 'The information in a report is used to handle the case about sickness benefit and reimbursement. Every read of personal data is recorded. Your municipality’s data protection officer can answer questions about your information.'],
  },
};

/** A static page of the footer, or null. */
export function staticPage(path) {
  const p = statics[path];
  if (!p) return null;
  const [title, text] = p[document.documentElement.lang === 'en' ? 'en' : 'da'];
  return { title, body: html`<h1 tabindex="-1">${title}</h1><p>${text}</p>` };
}
