// The senders' ventefunktion (BEK 509 § 1 stk. 4) and their messages
// (§ 1 stk. 3), on the waiting function's API: a finished blanket is
// prepared for later with the date to send it (and its deadline, when
// known), listed in the overview, opened again at "Tjek dine svar", sent
// (one action: the normal receipt) or deleted; reminders and warnings come
// to "Beskeder", where the sender chooses e-mail and SMS as well.

import { html, icon, formatDate, formatDateTime } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { session } from '../auth.js';
import { api, ApiError } from '../api.js';
import { validate, renderField, readAnswers, errorSummary, answersFromData } from '../form.js';
import {
  BASE, blankets, blanketTitle, reasonList, loadedBlanket, requireSender, setup, loadDraft, saveDraft, dropDraft, draftData, rememberReceipt,
} from './sender.js';

const warn = () => icon('warning', t('error.prefix').replace(':', ''));

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function isoOf(v) {
  if (!v || !v.y) return '';
  return `${v.y}-${String(v.m).padStart(2, '0')}-${String(v.d).padStart(2, '0')}`;
}

/** The status of a held blanket in words. */
function statusOf(p, l) {
  if (p.overdue) return t('pr.status.overdue');
  return p.due ? t('pr.status.due') : t('pr.status.held', { date: formatDate(p.dueDate, l) });
}

function overdueText(p) {
  return p.notice ? pick(p.notice) : t('pr.status.overdue');
}

/** Sends prepared blanket p (with its data): one action, then the normal receipt. */
export async function submitPrepared(p) {
  const rc = await api('POST', `/api/v1/prepared/${encodeURIComponent(p.id)}/submit`);
  const b = (await blankets()).find((x) => x.type === p.type);
  const title = b ? b.title : { da: p.type, en: p.type };
  rememberReceipt(rc, { title, blanket: p.type, followUp: Boolean(b?.followUp), firstAbsenceDay: p.data?.firstAbsenceDay });
  return rc;
}

/** The errors of an answer, each field named by its label in the blanket of type. */
async function fieldErrorItems(e, type) {
  if (!(e instanceof ApiError && e.fieldErrors.length)) return [{ text: (e instanceof ApiError && e.body && pick(e.body)) || t('error.generic') }];
  const b = (await blankets()).find((x) => x.type === type);
  return e.fieldErrors.map((x) => {
    // A field of the blanket, a group of them (named by its page), or a value from the login.
    const group = b?.pages.find((pg) => pg.fields.some((f) => f.startsWith(x.field + '.')));
    const lbl = pick(b?.fields?.[x.field]?.label) || pick(group?.title)
      || ({ cvr: t('form.cvr'), cpr: t('form.cpr') })[x.field] || x.field;
    return { text: lbl ? t('v.server', { label: lbl, message: pick(x) }) : pick(x) };
  });
}

// ---------- the overview's table ----------

/** The markup of the prepared blankets (for the overview), or the empty state. */
export async function preparedSection() {
  let items;
  try {
    items = (await api('GET', '/api/v1/prepared'))?.prepared || [];
  } catch {
    return html`<p id="prepared-empty">${t('pr.unavailable')}</p>`;
  }
  if (!items.length) return html`<p id="prepared-empty">${t('pr.empty')}</p>`;
  const l = lang();
  const titles = {};
  for (const p of items) titles[p.type] ??= await blanketTitle(p.type);
  const late = items.filter((p) => p.overdue).length;
  return html`${late ? html`<div class="alert alert-warning" role="alert" id="prepared-overdue">${warn()}<div class="alert-body">
      <h3 class="alert-heading">${late === 1 ? t('pr.overdue.one') : t('pr.overdue.count', { n: late })}</h3>
      <p class="alert-text">${t('pr.overdue.text')}</p></div></div>` : ''}
    <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('overview.prepared')}">
    <table class="table table--compact" id="prepared-list">
      <thead><tr><th scope="col">${t('pr.form')}</th><th scope="col">${t('pr.col.due')}</th><th scope="col">${t('pr.col.deadline')}</th>
        <th scope="col">${t('pr.col.status')}</th><th scope="col">${t('pr.col.actions')}</th></tr></thead>
      <tbody>${items.map((p) => html`<tr data-prepared="${p.id}">
        <td><a href="${BASE}/forberedt/${p.id}">${titles[p.type]}</a></td>
        <td class="js-due">${formatDate(p.dueDate, l)}</td>
        <td>${p.deadline ? formatDate(p.deadline, l) : t('pr.noDeadline')}</td>
        <td class="js-status">${p.overdue ? html`<strong class="reconcile-flag js-overdue">${icon('warning')}${statusOf(p, l)}</strong><br><span class="form-hint">${overdueText(p)}</span>` : statusOf(p, l)}</td>
        <td class="js-actions"><ul class="nobullet-list">
          <li><a href="${BASE}/forberedt/${p.id}/ret" class="function-link js-open">${icon('edit')}${t('pr.open')}<span class="sr-only"> ${titles[p.type]}</span></a></li>
          <li><button type="button" class="function-link js-send" data-send="${p.id}">${icon('send')}${t('pr.send')}<span class="sr-only"> ${titles[p.type]}</span></button></li>
          <li><a href="${BASE}/forberedt/${p.id}?slet=1" class="function-link js-delete">${icon('delete')}${t('pr.delete')}<span class="sr-only"> ${titles[p.type]}</span></a></li>
        </ul></td>
      </tr>`)}</tbody>
    </table></div>`;
}

/** Wires the send buttons of the table in el; errors go to box. */
export function wirePrepared(ctx, el, box) {
  el.querySelectorAll('button[data-send]').forEach((btn) => btn.addEventListener('click', async () => {
    btn.disabled = true;
    let p;
    try {
      p = await api('GET', `/api/v1/prepared/${encodeURIComponent(btn.dataset.send)}`);
      const rc = await submitPrepared(p);
      ctx.go(`${BASE}/kvittering/${rc.stream}`);
    } catch (e) {
      btn.disabled = false;
      const items = (await fieldErrorItems(e, p?.type)).map((x) => ({ ...x, href: `${BASE}/forberedt/${btn.dataset.send}/ret` }));
      box.innerHTML = String(errorSummary([{ text: t('pr.cannotSend') }, ...items]));
      ctx.errorSummary();
    }
  }));
}

// ---------- prepare for later ----------

const dueField = () => ({ path: 'dueDate', id: 'f-dueDate', kind: 'date', node: { format: 'date' }, required: true,
  hint: { label: { da: t('pr.due'), en: t('pr.due') }, hint: { da: t('pr.due.hint'), en: t('pr.due.hint') } } });
const deadlineField = () => ({ path: 'deadline', id: 'f-deadline', kind: 'date', node: { format: 'date' }, required: false,
  hint: { label: { da: t('pr.deadline'), en: t('pr.deadline') }, hint: { da: t('pr.deadline.hint'), en: t('pr.deadline.hint') } } });

/** The page that prepares the finished blanket slug for later: the date to send it and its deadline. */
export function prepare(slug) {
  return {
    title: t('pr.prepare.title'),
    body: html`<div id="prepare"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const { need, b, fields } = await setup(slug);
      if (need) { ctx.handle(need); return; }
      const d = loadDraft(slug);
      if (b.pages.some((_, i) => !d.done.includes(i))) { ctx.go(`${BASE}/ny/${slug}/tjek`, true); return; }
      // The answers and errors of this visit last through a redraw (a change of language).
      const st = history.state?.prepare || { answers: {}, errors: {} };
      const keep = () => history.replaceState({ ...history.state, prepare: st }, '');
      const draw = () => {
        const fs = [dueField(), deadlineField()];
        const msgOf = (f) => {
          const e = st.errors[f.path];
          if (!e) return null;
          return e.key ? t(e.key) : e.check ? validate(f, st.answers) : pick(e);
        };
        const errs = fs.map((f) => ({ f, msg: msgOf(f) })).filter((x) => x.msg);
        ctx.setTitle(t('pr.prepare.title') + ' – ' + pick(b.title));
        ctx.el.querySelector('#prepare').innerHTML = String(html`
          <a href="${BASE}/ny/${slug}/tjek" class="back-link">${icon('chevron-left')}${t('back')}</a>
          <h1 tabindex="-1">${t('pr.prepare.title')}</h1>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: '#' + e.f.id + '-day' })))}
          <p class="font-lead">${pick(b.title)}</p>
          <p>${t('pr.prepare.lead')}</p>
          <form id="prepare-form" novalidate>
            ${fs.map((f) => renderField(f, st.answers, errs.find((e) => e.f === f)?.msg))}
            <div class="mt-7">
              <button type="submit" class="button button-primary mr-5" id="save-prepared">${t('pr.save')}</button>
              <a href="${BASE}/ny/${slug}/tjek" class="button button-secondary mt-4 mt-md-0">${t('pr.cancel')}</a>
            </div>
          </form>`);
        if (errs.length) ctx.errorSummary(); else ctx.focusHeading();
        ctx.el.querySelector('#prepare-form').addEventListener('submit', async (e) => {
          e.preventDefault();
          readAnswers(e.target, fs, st.answers);
          st.errors = {};
          for (const f of fs) if (validate(f, st.answers)) st.errors[f.path] = { check: true };
          const due = isoOf(st.answers.dueDate);
          const deadline = isoOf(st.answers.deadline);
          if (!st.errors.dueDate && due < today()) st.errors.dueDate = { key: 'pr.due.past' };
          else if (!st.errors.dueDate && !st.errors.deadline && deadline && due > deadline) st.errors.dueDate = { key: 'pr.due.afterDeadline' };
          if (Object.keys(st.errors).length) { keep(); draw(); return; }
          const btn = ctx.el.querySelector('#save-prepared');
          btn.disabled = true;
          btn.textContent = t('pr.saving');
          try {
            const body = { type: b.type, data: draftData(b, fields, d), dueDate: due };
            if (deadline) body.deadline = deadline;
            if (b.followUp && d.absenceId) body.partitionKey = d.absenceId;
            const p = await api('POST', '/api/v1/prepared', body);
            dropDraft(slug);
            ctx.go(`${BASE}/forberedt/${p.id}?gemt=1`);
          } catch (err) {
            const fe = err instanceof ApiError ? err.fieldErrors : [];
            st.errors = fe.length ? Object.fromEntries(fe.map((x) => [x.field === 'deadline' ? 'deadline' : 'dueDate', x]))
              : { dueDate: (err instanceof ApiError && err.body?.da) ? err.body : { key: 'error.generic' } };
            keep();
            draw();
          }
        });
      };
      draw();
    },
  };
}

// ---------- one prepared blanket: confirmation, send, delete ----------

/** A prepared blanket: saved (?gemt=1) or changed (?gemt=2), its facts and the actions; ?slet=1 asks before deleting. */
export function preparedView(id, query) {
  const need = requireSender();
  if (need) return need;
  return {
    title: t('pr.view.title'),
    body: html`<div id="prepared-view"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#prepared-view');
      let p;
      try {
        p = await api('GET', `/api/v1/prepared/${encodeURIComponent(id)}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) { ctx.handle({ notFound: true }); return; }
        box.innerHTML = String(html`<h1 tabindex="-1">${t('pr.view.title')}</h1><p>${t('pr.unavailable')}</p>`);
        ctx.focusHeading();
        return;
      }
      const l = lang();
      const title = await blanketTitle(p.type);
      const saved = query.get('gemt');
      const held = p.status === 'held';
      const asking = query.has('slet') && held;
      let errors = [];
      const draw = () => {
        const heading = saved === '1' ? t('pr.saved.title') : saved === '2' ? t('pr.changed.title') : t('pr.view.title');
        ctx.setTitle(heading);
        box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('receipt.overview')}</a>
          <h1 tabindex="-1">${heading}</h1>
          ${errorSummary(errors)}
          ${saved && held ? html`<div class="alert alert-success" id="prepared-saved">${icon('success', 'OK')}<div class="alert-body">
            <p class="alert-text">${t('pr.saved.text', { date: formatDate(p.dueDate, l) })}</p></div></div>` : ''}
          ${!held ? html`<div class="alert alert-info">${icon('info', 'Information')}<div class="alert-body"><p class="alert-text">${t('pr.gone')}</p></div></div>` : ''}
          ${p.overdue ? html`<div class="alert alert-warning" role="alert" id="prepared-overdue">${warn()}<div class="alert-body">
            <h2 class="alert-heading">${t('pr.overdue.heading')}</h2><p class="alert-text">${overdueText(p)}</p></div></div>` : ''}
          ${asking ? html`<div class="alert alert-warning" id="delete-confirm" role="alert">${warn()}<div class="alert-body">
            <h2 class="alert-heading">${t('pr.delete.confirm')}</h2>
            <p class="alert-text">${t('pr.delete.text', { title })}</p>
            <p class="mt-4"><button type="button" class="button button-warning mr-5" id="confirm-delete">${t('pr.delete.yes')}</button>
            <a href="${BASE}/forberedt/${p.id}" class="button button-secondary mt-4 mt-md-0" id="keep">${t('pr.delete.no')}</a></p>
          </div></div>` : ''}
          <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('pr.view.title')}">
          <table class="table structured-list" id="prepared-facts"><tbody>
            <tr><th scope="row">${t('pr.form')}</th><td>${title}</td></tr>
            <tr><th scope="row">${t('pr.col.due')}</th><td>${formatDate(p.dueDate, l)}</td></tr>
            <tr><th scope="row">${t('pr.col.deadline')}</th><td>${p.deadline ? formatDate(p.deadline, l) : t('pr.noDeadline')}</td></tr>
            <tr><th scope="row">${t('pr.col.status')}</th><td>${held ? statusOf(p, l) : (p.receipt || t('pr.gone'))}</td></tr>
            <tr><th scope="row">${t('pr.col.created')}</th><td>${formatDateTime(p.createdAt, l)}</td></tr>
          </tbody></table></div>
          ${held && !asking ? html`<p class="mt-7">
            <button type="button" class="button button-primary mr-5" id="send-prepared">${t('pr.send')}</button>
            <a href="${BASE}/forberedt/${p.id}/ret" class="button button-secondary mr-5" id="open-prepared">${t('pr.open')}</a>
            <a href="${BASE}/forberedt/${p.id}?slet=1" class="button button-tertiary mt-4 mt-md-0" id="delete-prepared">${t('pr.delete')}</a>
          </p>` : ''}`);
        if (errors.length) ctx.errorSummary();
        else if (asking) ctx.el.querySelector('#confirm-delete')?.focus();
        else ctx.focusHeading();
        ctx.el.querySelector('#send-prepared')?.addEventListener('click', async (e) => {
          e.target.disabled = true;
          e.target.textContent = t('pr.sending');
          try {
            const rc = await submitPrepared(p);
            ctx.go(`${BASE}/kvittering/${rc.stream}`);
          } catch (err) {
            errors = [{ text: t('pr.cannotSend'), href: `${BASE}/forberedt/${p.id}/ret` }, ...await fieldErrorItems(err, p.type)];
            draw();
          }
        });
        ctx.el.querySelector('#confirm-delete')?.addEventListener('click', async (e) => {
          e.target.disabled = true;
          try {
            await api('DELETE', `/api/v1/prepared/${encodeURIComponent(p.id)}`);
            ctx.go(`${BASE}?slettet=1`);
          } catch (err) {
            errors = await fieldErrorItems(err, p.type);
            draw();
          }
        });
      };
      draw();
    },
  };
}

/** Opens a prepared blanket again: its answers become the draft, which resumes at "Tjek dine svar". */
export function openPrepared(id) {
  const need = requireSender();
  if (need) return need;
  return {
    title: t('pr.view.title'),
    body: html`<p>${t('loading')}</p>`,
    async after(ctx) {
      let p;
      try {
        p = await api('GET', `/api/v1/prepared/${encodeURIComponent(id)}`);
      } catch (e) {
        ctx.handle(e instanceof ApiError && e.status === 404 ? { notFound: true } : { redirect: `${BASE}/forberedt/${id}` });
        return;
      }
      const role = session().claims.role;
      const b = (await blankets()).find((x) => x.type === p.type && x.roles.includes(role));
      if (!b || p.status !== 'held') { ctx.handle({ redirect: `${BASE}/forberedt/${id}` }); return; }
      dropDraft(b.slug);
      const absence = Object.entries(b.context || {}).find(([, src]) => src === 'absence')?.[0];
      const d = { ...loadDraft(b.slug), absenceId: absence ? p.data?.[absence] : undefined, prepared: { id: p.id, dueDate: p.dueDate, notice: p.notice || null } };
      saveDraft(b.slug, d);
      const { need: n2, fields } = await setup(b.slug);
      if (n2) { ctx.handle(n2); return; }
      d.answers = answersFromData(fields, p.data || {});
      d.done = b.pages.map((_, i) => i);
      saveDraft(b.slug, d);
      ctx.go(`${BASE}/ny/${b.slug}/tjek`, true);
    },
  };
}

// ---------- messages and where to get them ----------

function messageLink(m) {
  const x = /^\/(prepared|absences)\/([0-9a-f-]+)$/.exec(m.link || '');
  if (!x) return '';
  return x[1] === 'prepared' ? html`<br><a href="${BASE}/forberedt/${x[2]}">${t('pr.msg.open')}</a>`
    : html`<br><a href="${BASE}/fravaer/${x[2]}">${t('pr.msg.case')}</a>`;
}

/** A message's text; a rejection's reasons as a list (its body has them as "- " lines). */
function messageBody(m, l) {
  const body = l === 'en' ? m.bodyEn : m.bodyDa;
  if (!m.reasons?.length) return body;
  const lead = (body || '').split('\n')[0];
  return html`${lead}<div class="message-reasons">${reasonList(m.reasons, '', loadedBlanket(m.blanket))}</div>`;
}

/** The overview's short note on the messages: how many, and the way to them. */
export async function messagesNote() {
  try {
    const n = ((await api('GET', '/api/v1/inbox'))?.messages || []).length;
    return html`<p id="messages-note">${n === 0 ? t('pr.messages.none') : n === 1 ? t('pr.messages.one') : t('pr.messages.count', { n })}
      <a href="${BASE}/beskeder" id="messages-link">${t('pr.messages.link')}</a></p>`;
  } catch {
    return html`<p id="messages-note">${t('pr.messages.unavailable')} <a href="${BASE}/beskeder" id="messages-link">${t('pr.messages.link')}</a></p>`;
  }
}

const settingFields = () => [
  { path: 'email', id: 'f-email', kind: 'text', node: { format: 'email' }, required: false,
    hint: { label: { da: t('pr.settings.email'), en: t('pr.settings.email') }, hint: { da: t('pr.settings.email.hint'), en: t('pr.settings.email.hint') }, autocomplete: 'email', width: 'input-width-xl' } },
  { path: 'phone', id: 'f-phone', kind: 'text', node: {}, required: false,
    hint: { label: { da: t('pr.settings.phone'), en: t('pr.settings.phone') }, hint: { da: t('pr.settings.phone.hint'), en: t('pr.settings.phone.hint') }, autocomplete: 'tel', width: 'input-width-m' } },
];

/** "Beskeder": the sender's reminders and warnings, and the e-mail and phone to get them at. */
export function messages() {
  const need = requireSender();
  if (need) return need;
  return {
    title: t('pr.messages'),
    body: html`<div id="messages"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#messages');
      let list = null;
      let settings = { email: '', phone: '' };
      try { list = (await api('GET', '/api/v1/inbox'))?.messages || []; } catch { /* shown as unavailable */ }
      await blankets(); // the forms' field labels for a rejection's reasons
      try { settings = await api('GET', '/api/v1/inbox/settings'); } catch { /* empty form */ }
      // The form of this visit lasts through a redraw (a change of language).
      const state = history.state?.settings || { answers: { email: settings.email || '', phone: settings.phone || '' }, errors: {}, saved: false };
      const draw = () => {
        const l = lang();
        const fs = settingFields();
        const errs = fs.filter((f) => state.errors[f.path]).map((f) => ({ f, msg: t('v.server', { label: pick(f.hint.label), message: pick(state.errors[f.path]) }) }));
        box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('receipt.overview')}</a>
          <h1 tabindex="-1">${t('pr.messages')}</h1>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: '#' + e.f.id })))}
          <p class="font-lead">${t('pr.messages.lead')}</p>
          ${list === null ? html`<p>${t('pr.messages.unavailable')}</p>` : !list.length ? html`<p id="messages-empty">${t('pr.messages.none')}</p>`
    : html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('pr.messages')}">
            <table class="table table--compact" id="messages-list">
              <thead><tr><th scope="col">${t('pr.msg.col.date')}</th><th scope="col">${t('pr.msg.col.message')}</th><th scope="col">${t('pr.msg.col.deadline')}</th></tr></thead>
              <tbody>${list.map((m) => html`<tr data-kind="${m.kind}" data-receipt="${m.receipt || ''}"><td>${formatDateTime(m.createdAt, l)}</td>
                <td><strong>${l === 'en' ? m.titleEn : m.titleDa}</strong><br>${messageBody(m, l)}${messageLink(m)}</td>
                <td>${m.deadline ? formatDate(m.deadline, l) : '–'}</td></tr>`)}</tbody>
            </table></div>`}
          <h2>${t('pr.settings')}</h2>
          ${state.saved && !errs.length ? html`<div class="alert alert-success" id="settings-saved" role="status">${icon('success', 'OK')}<div class="alert-body"><p class="alert-text">${t('pr.settings.saved')}</p></div></div>` : ''}
          <p>${t('pr.settings.lead')}</p>
          <form id="settings-form" novalidate>
            ${fs.map((f) => renderField(f, state.answers, errs.find((e) => e.f === f)?.msg))}
            <button type="submit" class="button button-primary mt-5" id="save-settings">${t('pr.settings.save')}</button>
          </form>`);
        if (errs.length) ctx.errorSummary(); else if (state.saved) ctx.el.querySelector('#settings-saved')?.focus(); else ctx.focusHeading();
        ctx.el.querySelector('#settings-form').addEventListener('submit', async (e) => {
          e.preventDefault();
          readAnswers(e.target, fs, state.answers);
          const body = { email: state.answers.email.trim(), phone: state.answers.phone.replace(/\s/g, '') };
          try {
            const s = await api('PUT', '/api/v1/inbox/settings', body);
            state.answers = { ...s };
            state.errors = {};
            state.saved = true;
          } catch (err) {
            const fe = err instanceof ApiError ? err.fieldErrors : [];
            state.errors = fe.length ? Object.fromEntries(fe.map((x) => [x.field, x])) : { email: (err instanceof ApiError && err.body?.da) ? err.body : { da: t('error.generic'), en: t('error.generic') } };
            state.saved = false;
          }
          history.replaceState({ ...history.state, settings: state }, '');
          draw();
        });
      };
      draw();
    },
  };
}
