// Mit Sygefravær for citizens: "Mit forløb" with the task counter, the
// tasks in order and the two columns of letters received and receipts sent.
// It shows what the citizen API answers and an empty state otherwise.

import { html, icon, formatDate } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { session, audience } from '../auth.js';
import { api } from '../api.js';

function requireCitizen() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'citizen') return { forbidden: true };
  return null;
}

function counter(n) {
  return n > 0
    ? html`<span class="badge badge-error" id="task-counter">${n}</span>`
    : html`<span class="badge badge-success" id="task-counter">${icon('check', t('citizen.tasks.none'))}</span>`;
}

export function myCase() {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('citizen.title'),
    body: html`<h1 tabindex="-1">${t('citizen.title')}</h1>
      <p class="font-lead">${t('citizen.lead')}</p>
      <h2>${t('citizen.tasks')} <span id="counter-box">${counter(0)}</span></h2>
      <div id="tasks"><p>${t('citizen.tasks.none')}</p></div>
      <div class="row mt-7">
        <div class="col-12 col-md-6"><h2 class="h3">${t('citizen.received')}</h2><div id="received"><p>${t('citizen.none')}</p></div></div>
        <div class="col-12 col-md-6"><h2 class="h3">${t('citizen.sent')}</h2><div id="sent"><p>${t('citizen.none')}</p></div></div>
      </div>`,
    async after(ctx) {
      let tasks = [];
      try {
        const res = await api('GET', '/api/v1/citizen/tasks');
        tasks = Array.isArray(res) ? res : (res?.tasks || res?.items || []);
      } catch {
        ctx.el.querySelector('#tasks').innerHTML = String(html`<p>${t('citizen.tasks.none')}</p><p class="form-hint">${t('citizen.unavailable')}</p>`);
        return;
      }
      const open = tasks.filter((x) => !x.closed && x.status !== 'closed' && x.status !== 'done');
      ctx.el.querySelector('#counter-box').innerHTML = String(counter(open.length));
      if (open.length) {
        ctx.el.querySelector('#tasks').innerHTML = String(html`<p>${t('citizen.tasks.count', { n: open.length })}</p>
          <ol>${open.map((x) => html`<li>${pick(x.title) || x.titleDa || x.kind || x.type}${x.deadline || x.dueDate ? html` – ${formatDate(x.deadline || x.dueDate, lang())}` : ''}</li>`)}</ol>`);
      }
    },
  };
}
