// The caseworkers' inbox: the items the municipality's delivery stream
// holds (read without acknowledging them; the case system acknowledges).

import { html, formatDateTime } from '../dom.js';
import { t, lang } from '../i18n.js';
import { session, audience } from '../auth.js';
import { api } from '../api.js';

export function inbox() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'caseworker') return { forbidden: true };
  const recipient = s.claims.role === 'udk-caseworker' ? 'UDK' : s.claims.municipality;
  return {
    title: t('caseworker.title'),
    body: html`<h1 tabindex="-1">${t('caseworker.title')}</h1>
      <p class="font-lead">${t('caseworker.lead')}</p>
      <div id="inbox"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#inbox');
      try {
        const page = await api('GET', `/api/v1/deliveries/${encodeURIComponent(recipient)}?limit=100`);
        const items = page?.items || [];
        if (!items.length) { box.innerHTML = String(html`<p id="inbox-empty">${t('caseworker.empty')}</p>`); return; }
        box.innerHTML = String(html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('caseworker.title')}">
          <table class="table table--compact" id="inbox-table">
            <thead><tr><th scope="col">${t('caseworker.col.received')}</th><th scope="col">${t('caseworker.col.type')}</th><th scope="col">${t('caseworker.col.absence')}</th></tr></thead>
            <tbody>${items.map((it) => html`<tr><td>${formatDateTime(it.createdAt, lang())}</td><td>${it.kind}</td><td>${it.caseRef}</td></tr>`)}</tbody>
          </table></div>`);
      } catch {
        box.innerHTML = String(html`<p>${t('caseworker.unavailable')}</p>`);
      }
    },
  };
}
