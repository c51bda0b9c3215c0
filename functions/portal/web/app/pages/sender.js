// NemRefusion for senders (employers, self-employed, a-kasser): the
// overview of absences, the choice of blanket, the blanket one question
// group per page with a step indicator ending in "Tjek dine svar", the
// refusion preview, the signed submission and the receipt.

import { html, icon, formatDate, formatDateTime, formatKroner } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { session, loginAge, login, audience } from '../auth.js';
import { api, postEvent, ApiError } from '../api.js';
import {
  loadSchema, buildFields, validate, renderField, readAnswers, buildData, display, label, focusId, errorSummary,
} from '../form.js';
import { preparedSection, wirePrepared, messagesNote } from './prepared.js';

export const BASE = '/nemrefusion';
let blanketList = null;

/** Every blanket's hints (app/blankets/index.json). */
export async function blankets() {
  if (!blanketList) {
    const names = await (await fetch('/app/blankets/index.json')).json();
    blanketList = await Promise.all(names.map(async (n) => ({ name: n, ...(await (await fetch(`/app/blankets/${n}.json`)).json()) })));
  }
  return blanketList;
}

export async function blanketBySlug(slug) {
  return (await blankets()).find((b) => b.slug === slug) || null;
}

export function requireSender() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'sender') return { forbidden: true };
  return null;
}

// Drafts live in this tab's sessionStorage until sent (or the tab closes).
function draftKey(slug) { return 'nr.draft.' + slug; }
export function loadDraft(slug) {
  return JSON.parse(sessionStorage.getItem(draftKey(slug)) || 'null') || { answers: {}, done: [], shown: [], serverErrors: [], eventId: crypto.randomUUID() };
}
export function saveDraft(slug, d) { sessionStorage.setItem(draftKey(slug), JSON.stringify(d)); }
export function dropDraft(slug) { sessionStorage.removeItem(draftKey(slug)); }

// The reports sent from this tab (no CPR numbers), shown in the overview
// until the delivery function lists them.
function sentKey() { return 'nr.sent.' + (session()?.claims.sub || ''); }
function sentHere() { return JSON.parse(sessionStorage.getItem(sentKey()) || '[]'); }
function rememberSent(a) {
  const list = sentHere().filter((x) => x.absenceId !== a.absenceId || x.receipt !== a.receipt);
  list.unshift(a);
  sessionStorage.setItem(sentKey(), JSON.stringify(list.slice(0, 20)));
}

// Values the blanket takes from the login (claims.<name>) or, for a
// follow-up, the absence it follows up (absence).
function contextValues(b, claims, d) {
  const out = {};
  for (const [path, src] of Object.entries(b.context || {})) {
    if (src === 'absence') out[path] = d?.absenceId;
    else out[path] = src.startsWith('claims.') ? claims[src.slice(7)] : src;
  }
  return out;
}

/** The blanket's data from a draft: the answers plus the values from the login and the absence. */
export function draftData(b, fields, d) {
  return buildData(fields, d.answers, contextValues(b, session().claims, d));
}

/** Keeps a receipt (intake's or the waiting function's) for the receipt page and the overview. */
export function rememberReceipt(rc, { title, blanket, followUp, firstAbsenceDay }) {
  if (!followUp) rememberSent({ absenceId: rc.stream, receipt: rc.receipt, receivedAt: rc.receivedAt, title, blanket, firstAbsenceDay });
  sessionStorage.setItem('nr.receipt.' + rc.stream, JSON.stringify({ ...rc, title, followUp: Boolean(followUp) }));
}

function statusText(s) {
  const k = 'status.' + (s || 'received').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const v = t(k);
  return v === k ? s : v;
}

// ---------- overview ----------

/** The title of a blanket type, from the hints (or the type itself). */
export async function blanketTitle(type) {
  const b = (await blankets()).find((x) => x.type === type);
  return b ? pick(b.title) : (type || '').replace('dk.nemrefusion.', '');
}

function absenceRows(list, titles) {
  const l = lang();
  return list.map((a) => html`<tr data-absence="${a.absenceId}">
    <td>${titles[a.blanket] || a.kind}<br><span class="form-hint">${a.receipt}${a.caseNumber ? html` · ${t('case.number')} ${a.caseNumber}` : ''}</span></td>
    <td>${formatDate(a.firstAbsenceDay, l)}${a.lastAbsenceDay ? html` – ${formatDate(a.lastAbsenceDay, l)}` : ''}</td>
    <td class="js-status">${a.pending ? t('overview.pending') : statusText(a.status)}</td>
    <td class="js-deadline">${a.nextDeadline ? formatDate(a.nextDeadline.date, l) : t('overview.noDeadline')}</td>
    <td class="js-action">${a.nextAction ? pick(a.nextAction) : t('overview.action.none')}
      ${a.feedback ? html`<br><a href="${BASE}/fravaer/${a.absenceId}">${t('overview.action.case')}<span class="sr-only"> ${a.receipt}</span></a>`
        : a.pending ? html`<br><a href="${BASE}/kvittering/${a.absenceId}">${t('overview.action.view')}<span class="sr-only"> ${a.receipt}</span></a>` : ''}</td>
  </tr>`);
}

export function overview() {
  const need = requireSender();
  if (need) return need;
  return {
    title: t('overview.title'),
    body: html`<h1 tabindex="-1">${t('overview.title')}</h1>
      <p class="font-lead">${t('overview.lead')}</p>
      <p><a href="${BASE}/ny" class="button button-primary" id="new-report">${t('overview.new')}</a></p>
      <h2>${t('overview.col.absence')}</h2>
      <div id="absences-box"><p>${t('loading')}</p></div>
      <h2>${t('overview.prepared')}</h2>
      <p>${t('pr.lead')}</p>
      <div id="prepared-errors"></div>
      <div id="prepared"><p>${t('loading')}</p></div>
      <h2>${t('pr.messages')}</h2>
      <div id="messages-box"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const deleted = new URLSearchParams(location.search).has('slettet');
      if (deleted) {
        ctx.el.querySelector('h1').insertAdjacentHTML('afterend', String(html`<div class="alert alert-success" id="prepared-deleted" role="status">${icon('success', 'OK')}<div class="alert-body"><p class="alert-text">${t('pr.deleted')}</p></div></div>`));
      }
      const box = ctx.el.querySelector('#absences-box');
      let list = [];
      let failed = false;
      try {
        const res = await api('GET', '/api/v1/feedback/absences');
        list = res?.absences || [];
      } catch {
        failed = true;
      }
      // Reports sent from this tab that the case has not caught up with yet.
      const known = new Set(list.map((a) => a.absenceId + '/' + a.receipt));
      const knownIds = new Set(list.map((a) => a.absenceId));
      const pending = sentHere().filter((a) => !known.has(a.absenceId + '/' + a.receipt) && !knownIds.has(a.absenceId))
        .map((a) => ({ ...a, pending: true }));
      const rows = [...pending, ...list];
      const titles = {};
      for (const a of rows) titles[a.blanket] = a.title ? pick(a.title) : await blanketTitle(a.blanket);
      if (!rows.length) {
        box.innerHTML = String(failed ? html`<p id="absences-empty">${t('overview.unavailable')}</p>` : html`<p id="absences-empty">${t('overview.empty')}</p>`);
      } else {
        box.innerHTML = String(html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('overview.title')}">
          <table class="table table--compact" id="absences">
            <thead><tr>
              <th scope="col">${t('overview.col.absence')}</th><th scope="col">${t('overview.col.first')}</th>
              <th scope="col">${t('overview.col.status')}</th><th scope="col">${t('overview.col.deadline')}</th><th scope="col">${t('overview.col.action')}</th>
            </tr></thead>
            <tbody>${absenceRows(rows, titles)}</tbody>
          </table>
        </div>
        ${failed ? html`<p class="form-hint">${t('overview.unavailable')}</p>` : ''}`);
      }
      const [prepared, note] = await Promise.all([preparedSection(), messagesNote()]);
      ctx.el.querySelector('#prepared').innerHTML = String(prepared);
      ctx.el.querySelector('#messages-box').innerHTML = String(note);
      wirePrepared(ctx, ctx.el.querySelector('#prepared'), ctx.el.querySelector('#prepared-errors'));
    },
  };
}

// ---------- choose a blanket ----------

export function choose() {
  const need = requireSender();
  if (need) return need;
  const role = session().claims.role;
  return {
    title: t('choose.title'),
    body: html`<div id="choose"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const mine = (await blankets()).filter((b) => b.roles.includes(role) && !b.followUp);
      const draw = (err) => {
        ctx.el.querySelector('#choose').innerHTML = String(html`
          <a href="${BASE}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          <h1 tabindex="-1">${t('choose.title')}</h1>
          <p class="font-lead">${t('choose.lead')}</p>
          ${err ? errorSummary([{ text: t('choose.required'), href: '#blanket-option1' }]) : ''}
          ${mine.length ? html`<form id="choose-form" novalidate>
            <div class="form-group${err ? ' form-error' : ''}">
              <fieldset${err ? html` aria-describedby="blanket-error"` : ''}>
                <legend class="form-label">${t('choose.legend')}</legend>
                ${err ? html`<span class="form-error-message" id="blanket-error"><span class="sr-only">${t('error.prefix')} </span>${t('choose.required')}</span>` : ''}
                ${mine.map((b, i) => html`<div class="form-group-radio">
                  <input type="radio" class="form-radio" id="blanket-option${i + 1}" name="blanket" value="${b.slug}" aria-describedby="blanket-option${i + 1}-hint">
                  <label class="form-label" for="blanket-option${i + 1}">${pick(b.title)}</label>
                  <span class="form-hint" id="blanket-option${i + 1}-hint">${pick(b.description)}</span>
                </div>`)}
              </fieldset>
            </div>
            <button type="submit" class="button button-primary mt-5">${t('choose.start')}</button>
          </form>` : html`<p>${t('choose.none')}</p>`}`);
        if (err) ctx.errorSummary(); else ctx.focusHeading();
        ctx.el.querySelector('#choose-form')?.addEventListener('submit', (e) => {
          e.preventDefault();
          const v = e.target.querySelector('input[name="blanket"]:checked')?.value;
          if (!v) { sessionStorage.setItem('nr.choose.error', '1'); draw(true); return; }
          sessionStorage.removeItem('nr.choose.error');
          ctx.go(`${BASE}/ny/${v}/1`);
        });
      };
      // A shown error stays through a redraw (a change of language).
      draw(sessionStorage.getItem('nr.choose.error') === '1');
    },
  };
}

// ---------- the blanket ----------

function stepIndicator(b, slug, d, current) {
  const n = b.pages.length;
  const steps = b.pages.map((p, i) => ({ text: pick(p.title), href: `${BASE}/ny/${slug}/${i + 1}`, i }));
  steps.push({ text: t('step.check'), href: `${BASE}/ny/${slug}/tjek`, i: n });
  const reachable = (i) => i === 0 || steps.slice(0, i).every((s) => d.done.includes(s.i));
  return html`<nav aria-label="${t('step.nav')}" class="d-none d-lg-block">
    <ol class="step-indicator">${steps.map((s) => {
      const isCurrent = s.i === current;
      const done = d.done.includes(s.i) && !isCurrent;
      const hasError = d.serverErrors.some((e) => e.page === s.i);
      const disabled = !isCurrent && !reachable(s.i);
      const cls = [disabled ? 'disabled' : '', isCurrent ? 'current' : '', hasError ? 'error' : ''].filter(Boolean).join(' ');
      const mark = hasError
        ? html`<span class="step-icon">${icon('error', t('step.error', { n: s.i + 1 }))}</span>`
        : done ? html`<span class="step-icon">${icon('check', t('step.done', { n: s.i + 1 }))}</span>`
          : html`<span class="step-number"><span>${s.i + 1}</span></span>`;
      const inner = html`${mark}<div><span class="step-title">${s.text}</span></div>`;
      return html`<li${cls ? html` class="${cls}"` : ''}>${disabled ? html`<div class="step">${inner}</div>`
        : html`<a class="step" href="${s.href}"${isCurrent ? html` aria-current="step"` : ''}>${inner}</a>`}</li>`;
    })}</ol>
  </nav>`;
}

function stepOf(b, current) {
  return html`<p class="step-subheading mt-5">${t('step.of', { n: current + 1, total: b.pages.length + 1 })}</p>`;
}

function layout(b, slug, d, current, content) {
  return html`<div class="row">
    <div class="col-12 col-lg-4 col-xl-3">${stepIndicator(b, slug, d, current)}</div>
    <div class="col-12 col-lg-8 col-xl-9">
      ${content}
    </div>
  </div>`;
}

export async function setup(slug) {
  const need = requireSender();
  if (need) return { need };
  const b = await blanketBySlug(slug);
  if (!b || !b.roles.includes(session().claims.role)) return { need: { notFound: true } };
  if (b.followUp && !loadDraft(slug).absenceId) return { need: { redirect: BASE } };
  const schema = await loadSchema(b.schema);
  return { b, schema, fields: buildFields(schema, b) };
}

/** Server errors of a 400 answer mapped onto the blanket's fields. */
function mapServerErrors(fields, errs) {
  return errs.map((e) => {
    const f = fields.find((x) => x.path === e.field);
    return { field: e.field, da: e.da, en: e.en, page: f ? f.page : -1 };
  });
}

function serverMessage(fields, e) {
  const f = fields.find((x) => x.path === e.field);
  const msg = pick(e);
  return f ? t('v.server', { label: label(f), message: msg }) : msg;
}

export function step(slug, n, hash) {
  return {
    title: t('app.nemrefusion'),
    body: html`<div id="blanket"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const { need, b, fields } = await setup(slug);
      if (need) { ctx.handle(need); return; }
      const index = Number(n) - 1;
      if (!(index >= 0 && index < b.pages.length)) { ctx.handle({ notFound: true }); return; }
      const d = loadDraft(slug);
      const page = b.pages[index];
      const pageFields = fields.filter((f) => f.page === index);
      const draw = (showErrors) => {
        if (showErrors && !d.shown.includes(index)) { d.shown.push(index); saveDraft(slug, d); }
        const errs = [];
        for (const f of pageFields) {
          let msg = showErrors ? validate(f, d.answers) : null;
          if (!msg) {
            const se = d.serverErrors.find((e) => e.field === f.path);
            if (se) msg = serverMessage(fields, se);
          }
          if (msg) errs.push({ f, msg });
        }
        const errOf = (f) => errs.find((e) => e.f === f)?.msg;
        const ctxFields = Object.entries(contextValues(b, session().claims, d)).filter(([, v]) => v);
        ctx.setTitle(pick(page.title) + ' – ' + pick(b.title));
        ctx.el.querySelector('#blanket').innerHTML = String(layout(b, slug, d, index, html`
          <a href="${index === 0 ? (b.followUp && d.absenceId ? `${BASE}/fravaer/${d.absenceId}` : BASE + '/ny') : `${BASE}/ny/${slug}/${index}`}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          ${stepOf(b, index)}
          <h1 tabindex="-1"><span class="sr-only">${pick(b.title)}: </span>${pick(page.title)}</h1>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: '#' + focusId(e.f) })))}
          ${index === 0 && ctxFields.length ? html`<p>${t('form.context')}: ${ctxFields.map(([k, v]) => html`<strong>${k === 'cvr' ? t('form.cvr') : k === 'cpr' ? t('form.cpr') : k === 'absenceId' ? t('receipt.absence') : k} ${v}</strong> `)}</p>` : ''}
          <form id="step-form" novalidate>
            ${pageFields.map((f) => renderField(f, d.answers, errOf(f)))}
            <div class="mt-7">
              <button type="submit" class="button button-primary" id="next">${t('next')}</button>
            </div>
          </form>`));
        if (errs.length && showErrors) ctx.errorSummary();
        else if (hash) document.getElementById(hash.slice(1))?.focus();
        else ctx.focusHeading();
        ctx.el.querySelector('#step-form').addEventListener('submit', (e) => {
          e.preventDefault();
          readAnswers(e.target, pageFields, d.answers);
          // A server error is cleared once the answer it was about is sent again.
          d.serverErrors = d.serverErrors.filter((x) => x.page !== index);
          const bad = pageFields.some((f) => validate(f, d.answers));
          if (bad) {
            d.done = d.done.filter((i) => i !== index);
            saveDraft(slug, d);
            draw(true);
            return;
          }
          if (!d.done.includes(index)) d.done.push(index);
          d.shown = d.shown.filter((i) => i !== index);
          saveDraft(slug, d);
          ctx.go(index + 1 < b.pages.length ? `${BASE}/ny/${slug}/${index + 2}` : `${BASE}/ny/${slug}/tjek`);
        });
      };
      // Errors once shown stay through a redraw (a change of language).
      draw(d.shown.includes(index));
    },
  };
}

function previewInput(data) {
  const pick2 = {};
  for (const k of ['firstAbsenceDay', 'lastAbsenceDay', 'employedSince', 'hoursLast8Weeks', 'wagesPaid', 'hourlyEarnings', 'weeklyHours', 'pregnancyRelated', 'flexjob']) {
    if (data[k] !== undefined) pick2[k] = data[k];
  }
  pick2.section56 = Boolean(data.section56);
  if (pick2.hourlyEarnings === undefined) pick2.hourlyEarnings = 0;
  return pick2;
}

function renderPreview(p) {
  const l = lang();
  const ep = p.employerPeriod || {};
  const rows = [
    [t('preview.employerPeriod'), ep.applies ? `${formatDate(ep.from, l)} – ${formatDate(ep.to, l)}` : t('preview.noEmployerPeriod')],
    [t('preview.refusionFrom'), p.refusionFrom ? formatDate(p.refusionFrom, l) : t('preview.noRefusion')],
    [t('preview.deadline'), formatDate(p.reportDeadline, l)],
    [t('preview.hourlyRate'), formatKroner(p.hourlyRate, l)],
    [t('preview.maxRate'), formatKroner(p.maxHourlyRate, l)],
    [t('preview.weekly'), formatKroner(p.weeklyAmount, l)],
  ];
  return html`<h2>${t('preview.title')}</h2>
    <p>${t('preview.lead')}</p>
    ${p.late ? html`<div class="alert alert-warning" role="alert">${icon('warning', t('error.prefix').replace(':', ''))}<div class="alert-body"><p class="alert-text">${t('preview.late')}</p></div></div>` : ''}
    <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('preview.title')}">
      <table class="table structured-list" id="preview"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>
    </div>
    ${p.provisional ? html`<p class="form-hint">${t('preview.provisional')}</p>` : ''}
    ${p.reasons?.length ? html`<details class="details"><summary class="details-summary">${t('preview.reasons')}</summary>
      <div class="details-text"><ul>${p.reasons.map((r) => html`<li>${l === 'en' ? r.textEn : r.textDa} <span class="form-hint">(${r.law})</span></li>`)}</ul></div></details>` : ''}`;
}

export function check(slug, query) {
  return {
    title: t('check.title'),
    body: html`<div id="blanket"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const { need, b, schema, fields } = await setup(slug);
      if (need) { ctx.handle(need); return; }
      const d = loadDraft(slug);
      const claims = session().claims;
      const maxAge = (await ctx.config()).signingMaxAgeSeconds || 300;
      const firstMissing = b.pages.findIndex((_, i) => !d.done.includes(i));
      if (firstMissing >= 0 && !d.serverErrors.length && !query.has('send')) { ctx.go(`${BASE}/ny/${slug}/${firstMissing + 1}`, true); return; }
      let alertMarkup = '';
      const serverItems = () => d.serverErrors.map((se) => {
        const f = fields.find((x) => x.path === se.field);
        return { text: serverMessage(fields, se), href: f ? `${BASE}/ny/${slug}/${f.page + 1}#${focusId(f)}` : null };
      });
      // The server's field errors stay through a redraw (a change of language).
      let summaryItems = serverItems();
      const draw = () => {
        const l = lang();
        ctx.setTitle(t('check.title') + ' – ' + pick(b.title));
        ctx.el.querySelector('#blanket').innerHTML = String(layout(b, slug, d, b.pages.length, html`
          <a href="${BASE}/ny/${slug}/${b.pages.length}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          ${stepOf(b, b.pages.length)}
          <h1 tabindex="-1">${t('check.title')}</h1>
          ${errorSummary(summaryItems)}
          ${alertMarkup}
          ${d.prepared ? html`<div class="alert ${d.prepared.notice ? 'alert-warning' : 'alert-info'}" id="resumed">${d.prepared.notice ? icon('warning', t('error.prefix').replace(':', '')) : icon('info', 'Information')}<div class="alert-body">
            <h2 class="alert-heading">${t('pr.resumed')}</h2>
            <p class="alert-text">${t('pr.resumed.text', { date: formatDate(d.prepared.dueDate, l) })}</p>
            ${d.prepared.notice ? html`<p class="alert-text"><strong>${pick(d.prepared.notice)}</strong></p>` : ''}</div></div>` : ''}
          <p>${t('check.lead')}</p>
          ${b.pages.map((p, i) => html`<h2 class="h3">${pick(p.title)}</h2>
            <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${pick(p.title)}">
            <table class="table structured-list"><tbody>
              ${fields.filter((f) => f.page === i).map((f) => html`<tr>
                <th scope="row">${label(f)}</th>
                <td>${display(f, d.answers) || html`<span class="form-hint">${t('check.empty')}</span>`}</td>
                <td class="d-print-none"><a href="${BASE}/ny/${slug}/${i + 1}#${focusId(f)}">${t('check.edit')}<span class="sr-only"> ${label(f)}</span></a></td>
              </tr>`)}
            </tbody></table></div>`)}
          <div id="preview-box" class="mt-7">${b.preview ? html`<p>${t('loading')}</p>` : ''}</div>
          <p class="mt-7">${t('check.signed', { minutes: Math.round(maxAge / 60) })}</p>
          <div class="mt-5"><button type="button" class="button button-primary mr-5" id="send-report">${t('check.send')}</button>
            ${d.prepared ? html`<button type="button" class="button button-secondary mt-4 mt-md-0" id="save-prepared">${t('pr.saveChanges')}</button>`
    : html`<a href="${BASE}/ny/${slug}/forbered" class="button button-secondary mt-4 mt-md-0" id="prepare-report">${t('pr.prepare')}</a>`}</div>`));
        if (summaryItems.length) ctx.errorSummary(); else if (!alertMarkup) ctx.focusHeading();
        ctx.el.querySelector('#send-report').addEventListener('click', send);
        ctx.el.querySelector('#save-prepared')?.addEventListener('click', saveChanges);
        if (b.preview) loadPreview(l);
      };
      const data = () => buildData(fields, d.answers, contextValues(b, claims, d));
      // A prepared blanket opened again: its changes are stored with the waiting function.
      const putPrepared = () => api('PUT', `/api/v1/prepared/${encodeURIComponent(d.prepared.id)}`, { data: data() });
      const saveChanges = async () => {
        try {
          await putPrepared();
          const id = d.prepared.id;
          dropDraft(slug);
          ctx.go(`${BASE}/forberedt/${id}?gemt=2`);
        } catch (e) {
          summaryItems = [{ text: (e instanceof ApiError && e.body && pick(e.body)) || t('error.generic') }];
          alertMarkup = '';
          draw();
        }
      };
      const loadPreview = async () => {
        const box = ctx.el.querySelector('#preview-box');
        try {
          const p = await api('POST', '/api/v1/refusion/preview', previewInput(data()));
          box.innerHTML = String(renderPreview(p));
        } catch (e) {
          const msg = e instanceof ApiError && e.body && e.status === 422 ? pick(e.body) : t('preview.unavailable');
          box.innerHTML = String(html`<h2>${t('preview.title')}</h2><div class="alert alert-info">${icon('info', 'Information')}<div class="alert-body"><p class="alert-text">${msg}</p></div></div>`);
        }
      };
      const send = async () => {
        // Every answer again, as the schema says, before anything is sent.
        const bad = fields.map((f) => ({ f, msg: validate(f, d.answers) })).filter((x) => x.msg);
        if (bad.length) {
          summaryItems = bad.map((x) => ({ text: x.msg, href: `${BASE}/ny/${slug}/${x.f.page + 1}#${focusId(x.f)}` }));
          alertMarkup = '';
          draw();
          return;
        }
        if (loginAge() > maxAge - 15) {
          alertMarkup = html`<div class="alert alert-warning" role="alert" id="resign" tabindex="-1">${icon('warning', t('error.prefix').replace(':', ''))}<div class="alert-body">
            <h2 class="alert-heading">${t('check.resign')}</h2>
            <p class="alert-text">${t('check.resign.text', { minutes: Math.round(maxAge / 60) })}</p>
            <p class="mt-4"><button type="button" class="button button-primary" data-action="login" data-fresh="1" data-return="${BASE}/ny/${slug}/tjek?send=1">${t('check.resign.button')}</button></p>
          </div></div>`;
          summaryItems = [];
          draw();
          document.getElementById('resign')?.focus();
          return;
        }
        const btn = ctx.el.querySelector('#send-report');
        btn.disabled = true;
        btn.textContent = t('check.sending');
        const ev = {
          specversion: '1.0', type: b.type, source: '/nemrefusion/portal', id: d.eventId,
          datacontenttype: 'application/json', dataschema: schema.$id, data: data(),
        };
        // A follow-up goes in the stream of the absence it follows up.
        if (b.followUp) ev.partitionkey = d.absenceId;
        try {
          let rc;
          if (d.prepared) {
            // One action with the waiting function: the answers as changed, then submitted.
            await putPrepared();
            rc = await api('POST', `/api/v1/prepared/${encodeURIComponent(d.prepared.id)}/submit`);
          } else {
            rc = await postEvent(ev);
          }
          rememberReceipt(rc, { title: b.title, blanket: b.type, followUp: b.followUp, firstAbsenceDay: ev.data.firstAbsenceDay });
          sessionStorage.removeItem(draftKey(slug));
          ctx.go(`${BASE}/kvittering/${rc.stream}`);
        } catch (e) {
          if (e instanceof ApiError && e.needsFreshLogin) {
            await login(`${BASE}/ny/${slug}/tjek?send=1`, true);
            return;
          }
          if (e instanceof ApiError && e.status === 400 && e.fieldErrors.length) {
            d.serverErrors = mapServerErrors(fields, e.fieldErrors);
            saveDraft(slug, d);
            summaryItems = serverItems();
            alertMarkup = '';
          } else if (e instanceof ApiError && e.status === 401) {
            await login(`${BASE}/ny/${slug}/tjek`, false);
            return;
          } else {
            summaryItems = [{ text: (e instanceof ApiError && e.body && pick(e.body)) || t('error.generic') }];
          }
          draw();
        }
      };
      draw();
      if (query.has('send')) {
        history.replaceState(null, '', `${BASE}/ny/${slug}/tjek`);
        send();
      }
    },
  };
}

// ---------- receipt ----------

export function receipt(absenceId) {
  const need = requireSender();
  if (need) return need;
  const rc = JSON.parse(sessionStorage.getItem('nr.receipt.' + absenceId) || 'null') || sentHere().find((a) => a.absenceId === absenceId);
  if (!rc) {
    return { title: t('receipt.title'), body: html`<h1 tabindex="-1">${t('receipt.title')}</h1><p>${t('receipt.missing')}</p><p><a href="${BASE}">${t('receipt.overview')}</a></p>` };
  }
  const l = lang();
  return {
    title: t('receipt.title'),
    body: html`<h1 tabindex="-1">${t('receipt.title')}</h1>
      <div class="alert alert-success" id="receipt">${icon('success', 'OK')}
        <div class="alert-body">
          <h2 class="alert-heading">${t('receipt.heading')}</h2>
          <p class="alert-text">${t('receipt.text')}</p>
        </div>
      </div>
      <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('receipt.title')}">
      <table class="table structured-list"><tbody>
        <tr><th scope="row">${t('receipt.number')}</th><td id="receipt-number"><strong>${rc.receipt}</strong></td></tr>
        <tr><th scope="row">${t('receipt.received')}</th><td>${formatDateTime(rc.receivedAt, l)}</td></tr>
        <tr><th scope="row">${t('receipt.form')}</th><td>${pick(rc.title)}</td></tr>
        <tr><th scope="row">${t('receipt.absence')}</th><td>${absenceId}</td></tr>
      </tbody></table></div>
      <h2>${t('receipt.next')}</h2>
      <p>${t('receipt.next.text')}</p>
      <p class="d-print-none">
        <button type="button" class="button button-secondary mr-5" data-action="print">${icon('print')}${t('print')}</button>
        ${rc.followUp ? html`<a href="${BASE}/fravaer/${absenceId}" class="button button-secondary mr-5" id="to-case">${t('case.back')}</a>` : ''}
        <a href="${BASE}" class="button button-primary">${t('receipt.overview')}</a>
      </p>`,
  };
}

// ---------- the case of one absence ----------

/** Starts a follow-up (slug) of absence id: a fresh draft that names the absence. */
export function followUp(id, slug) {
  const need = requireSender();
  if (need) return need;
  const d = loadDraft(slug);
  if (d.absenceId !== id) {
    sessionStorage.removeItem(draftKey(slug));
    saveDraft(slug, { ...loadDraft(slug), absenceId: id });
  }
  return { redirect: `${BASE}/ny/${slug}/1` };
}

function kroner(ore) { return formatKroner(Number(ore) / 100, lang()); }

function flagText(f) {
  const k = { 'decided-differs-from-expected': 'case.flag.decided', 'paid-differs-from-decided': 'case.flag.paid', refused: 'case.flag.refused',
    'not-expected': 'case.flag.notExpected', 'paid-without-decision': 'case.flag.paidWithout' }[f.code];
  return (k ? t(k) : f.code) + (f.differenceOre ? ` (${f.differenceOre > 0 ? '+' : ''}${kroner(f.differenceOre)})` : '');
}

function lineStatus(s) {
  return { 'awaiting-decision': t('case.line.awaitingDecision'), 'awaiting-payment': t('case.line.awaitingPayment'), settled: t('case.line.settled'), refused: t('case.line.refused') }[s] || s;
}

function table(id, caption, head, rows) {
  return html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${caption}">
    <table class="table table--compact" id="${id}">
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${rows}</tbody>
    </table></div>`;
}

/** The case of one absence: status, deadlines, decisions, payments, the reconciliation and the follow-ups. */
export function caseView(id) {
  const need = requireSender();
  if (need) return need;
  return {
    title: t('case.title'),
    body: html`<div id="case"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#case');
      let v;
      let sum;
      try {
        [v, sum] = await Promise.all([
          api('GET', `/api/v1/feedback/absences/${encodeURIComponent(id)}`),
          api('GET', '/api/v1/feedback/absences').then((r) => (r.absences || []).find((a) => a.absenceId === id)).catch(() => null),
        ]);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) { ctx.handle({ notFound: true }); return; }
        box.innerHTML = String(html`<h1 tabindex="-1">${t('case.title')}</h1><p>${t('case.unavailable')}</p>`);
        return;
      }
      const l = lang();
      const role = session().claims.role;
      const title = sum ? await blanketTitle(sum.blanket) : t('case.title');
      const r = v.reconciliation || { periods: [] };
      const open = sum && sum.state !== 'cancelled';
      const follow = (await blankets()).filter((b) => b.followUp && b.roles.includes(role))
        .filter((b) => open && !(b.slug === 'raskmelding' && sum.lastAbsenceDay) && !(b.slug === 'naeste-periode' && sum.lastAbsenceDay));
      ctx.setTitle(t('case.title'));
      box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('receipt.overview')}</a>
        <h1 tabindex="-1">${t('case.title')}</h1>
        <p class="font-lead">${title}${sum ? html` · ${t('overview.col.first')} ${formatDate(sum.firstAbsenceDay, l)}` : ''}</p>
        ${r.differences ? html`<div class="alert alert-warning" role="alert" id="differences">${icon('warning', t('error.prefix').replace(':', ''))}<div class="alert-body">
          <h2 class="alert-heading">${t('case.differences', { n: r.differences })}</h2>
          <p class="alert-text">${t('case.differences.text')}</p></div></div>` : ''}
        <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('case.facts')}">
        <table class="table structured-list" id="case-facts"><tbody>
          <tr><th scope="row">${t('overview.col.status')}</th><td>${statusText(v.status)} <span class="form-hint">(${formatDateTime(v.statusAt, l)})</span></td></tr>
          <tr><th scope="row">${t('case.number')}</th><td>${v.caseNumber || t('case.noNumber')}</td></tr>
          <tr><th scope="row">${t('case.recipient')}</th><td>${v.recipient}</td></tr>
          ${sum ? html`<tr><th scope="row">${t('receipt.number')}</th><td>${sum.receipt}</td></tr>
          <tr><th scope="row">${t('case.period')}</th><td>${formatDate(sum.firstAbsenceDay, l)} – ${sum.lastAbsenceDay ? formatDate(sum.lastAbsenceDay, l) : t('case.stillSick')}</td></tr>
          <tr><th scope="row">${t('overview.col.action')}</th><td>${pick(sum.nextAction)}</td></tr>` : ''}
          <tr><th scope="row">${t('receipt.absence')}</th><td>${v.absenceId}</td></tr>
        </tbody></table></div>

        ${follow.length ? html`<h2>${t('case.followUp')}</h2>
          <ul class="nobullet-list" id="follow-ups">${follow.map((b) => html`<li class="mb-3"><a href="${BASE}/fravaer/${id}/${b.slug}" class="function-link">${pick(b.title)}</a><br><span class="form-hint">${pick(b.description)}</span></li>`)}</ul>` : ''}

        <h2>${t('case.deadlines')}</h2>
        ${v.deadlines.length ? table('case-deadlines', t('case.deadlines'), [t('case.col.date'), t('case.col.what')],
    v.deadlines.map((d) => html`<tr><td>${formatDate(d.date, l)}</td><td>${l === 'en' ? d.textEn : d.textDa}</td></tr>`)) : html`<p>${t('case.none')}</p>`}

        <h2>${t('case.decisions')}</h2>
        ${v.decisions.length ? table('case-decisions', t('case.decisions'), [t('case.col.decidedOn'), t('case.col.outcome'), t('case.col.periods')],
    v.decisions.map((d) => html`<tr><td>${formatDate(d.decidedOn, l)}</td><td>${t('case.outcome.' + (d.outcome === 'partly-granted' ? 'partly' : d.outcome === 'refused' ? 'refused' : 'granted'))}${d.refusal ? html`<br><span class="form-hint">${l === 'en' ? d.refusal.textEn : d.refusal.textDa}</span>` : ''}</td>
      <td>${d.periods.map((p) => html`${formatDate(p.from, l)} – ${formatDate(p.to, l)}: ${kroner(p.amountOre)}<br>`)}</td></tr>`)) : html`<p>${t('case.none')}</p>`}

        <h2>${t('case.payments')}</h2>
        ${v.payments.length ? table('case-payments', t('case.payments'), [t('case.col.paidOn'), t('case.col.period'), t('case.col.amount'), t('case.col.reference')],
    v.payments.map((p) => html`<tr><td>${formatDate(p.paidOn, l)}</td><td>${formatDate(p.periodFrom, l)} – ${formatDate(p.periodTo, l)}</td><td>${kroner(p.amountOre)}</td><td>${p.paymentReference}</td></tr>`)) : html`<p>${t('case.none')}</p>`}

        <h2>${t('case.reconciliation')}</h2>
        <p>${t('case.reconciliation.lead')}</p>
        ${r.periods.length ? table('case-reconciliation', t('case.reconciliation'), [t('case.col.period'), t('case.col.expected'), t('case.col.decided'), t('case.col.paid'), t('case.col.status')],
    r.periods.map((p) => html`<tr${p.flags.length ? html` class="reconcile-difference"` : ''}>
      <td>${formatDate(p.from, l)} – ${formatDate(p.to, l)}</td>
      <td>${p.expectedOre == null ? '–' : kroner(p.expectedOre)}</td>
      <td>${p.decidedOre == null ? '–' : kroner(p.decidedOre)}</td>
      <td>${kroner(p.paidOre)}</td>
      <td>${lineStatus(p.status)}${p.flags.map((f) => html`<br><strong class="reconcile-flag">${icon('warning')}${flagText(f)}</strong>`)}</td></tr>`)) : html`<p>${t('case.reconciliation.none')}</p>`}

        <h2>${t('case.history')}</h2>
        ${v.history.length ? table('case-history', t('case.history'), [t('case.col.date'), t('overview.col.status')],
    v.history.map((h) => html`<tr><td>${formatDateTime(h.changedAt, l)}</td><td>${statusText(h.status)}${h.noteDa ? html`<br><span class="form-hint">${l === 'en' ? h.noteEn : h.noteDa}</span>` : ''}</td></tr>`)) : html`<p>${t('case.history.none')}</p>`}`);
      ctx.focusHeading();
    },
  };
}
