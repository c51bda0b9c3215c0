// NemRefusion for senders (employers, self-employed, a-kasser): the
// overview of absences, the choice of blanket, the blanket one question
// group per page with a step indicator ending in "Tjek dine svar", the
// refusion preview, the signed submission and the receipt.

import { html, icon, formatDate, formatShortDate, formatDateTime, formatKroner } from '../dom.js';
import { t, tn, pick, lang, law } from '../i18n.js';
import { session, loginAge, login, audience } from '../auth.js';
import { api, postEvent, download, ApiError } from '../api.js';
import {
  loadSchema, buildFields, validate, renderField, readAnswers, buildData, display, label, focusId, errorSummary,
  expand, fieldOf, rowAction,
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
  // A follow-up is passed on when the absence's row counts one follow-up
  // more than when the case view offered it (followUpBase).
  const base = followUp ? JSON.parse(sessionStorage.getItem('nr.followUps.' + rc.stream) || 'null') : null;
  sessionStorage.setItem('nr.receipt.' + rc.stream, JSON.stringify({ ...rc, title, blanket, followUp: Boolean(followUp), base }));
}

/** Text key k for a case at recipient rec: Udbetaling Danmark's own wording (k.udk) where there is one. */
function atRecipient(k, rec, vars) {
  if (String(rec || '').toUpperCase() === 'UDK' && t(k + '.udk') !== k + '.udk') return t(k + '.udk', vars);
  return t(k, vars);
}

function statusText(s, rec) {
  const k = 'status.' + (s || 'received').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const v = atRecipient(k, rec);
  return v === k ? s : v;
}

// ---------- overview ----------

/** The title of a blanket type, from the hints (or the type itself). */
export async function blanketTitle(type, short) {
  const b = (await blankets()).find((x) => x.type === type);
  return b ? pick((short && b.short) || b.title) : (type || '').replace('dk.nemrefusion.', '');
}

/** A status as a DKFDS badge: rejected is an error, paid and decided a success. */
function statusBadge(a) {
  if (a.pending) return html`<span class="badge badge-info">${t('overview.pending')}</span>`;
  const cls = a.status === 'rejected' ? 'badge-error' : a.status === 'paid' || a.status === 'decided' ? 'badge-success' : 'badge-info';
  return html`<span class="badge ${cls}">${statusText(a.status, a.recipient)}</span>`;
}

// One row per absence (or rejected submission), six columns so a row stays
// a line or two: who, which form and receipt, the absence's days, the status
// with its recipient, the next deadline and the next action.
// follows are the follow-ups per family the sender may send; a case
// without feedback (a subsidy) has no case view, so its row offers them.
function absenceRows(list, titles, follows = {}) {
  const l = lang();
  const days = (a) => (a.firstAbsenceDay ? html`${formatShortDate(a.firstAbsenceDay, l)} –${a.lastAbsenceDay ? html` ${formatShortDate(a.lastAbsenceDay, l)}` : ''}` : '–');
  return list.map((a) => html`<tr data-absence="${a.absenceId}" data-status="${a.pending ? 'pending' : a.status}">
    <td class="js-person">${a.person?.name || '–'}${a.person?.cprMasked ? html`<br><span class="form-hint nobr">${a.person.cprMasked}</span>` : ''}</td>
    <td><span class="js-form">${titles[a.blanket] || a.kind || '–'}</span><br><span class="form-hint nobr js-receipt">${a.receipt || '–'}</span>${a.caseNumber ? html`<br><span class="form-hint">${atRecipient('case.number', a.recipient)} ${a.caseNumber}</span>` : ''}</td>
    <td class="js-days nobr">${days(a)}</td>
    <td class="js-status">${statusBadge(a)}${a.status !== 'rejected' && (a.recipientName || a.recipient) ? html`<br><span class="form-hint js-recipient">${a.recipientName || a.recipient}</span>` : ''}</td>
    <td class="js-deadline nobr">${a.nextDeadline?.date ? formatShortDate(a.nextDeadline.date, l) : a.status === 'rejected' ? '–' : t('overview.noDeadline')}</td>
    <td class="js-action">${a.status === 'rejected' ? '' : a.nextAction ? pick(a.nextAction) : t('overview.action.none')}
      ${a.status === 'rejected' && a.absenceId ? html`<a href="${BASE}/fravaer/${a.absenceId}">${t('overview.action.rejected')}<span class="sr-only"> ${a.receipt}</span></a>`
        : a.feedback ? html`<br><a href="${BASE}/fravaer/${a.absenceId}">${t('overview.action.case')}<span class="sr-only"> ${a.receipt}</span></a>`
          : a.pending ? html`<br><a href="${BASE}/kvittering/${a.absenceId}">${t('overview.action.view')}<span class="sr-only"> ${a.receipt}</span></a>` : ''}
      ${a.status !== 'rejected' && !a.feedback && !a.pending && a.state !== 'cancelled' ? (follows[loadedBlanket(a.blanket)?.family] || []).map((b) => html`<br><a href="${BASE}/fravaer/${a.absenceId}/${b.slug}" class="js-follow-up" data-offer="${b.slug}">${pick(b.title)}<span class="sr-only"> ${a.receipt}</span></a>`) : ''}</td>
  </tr>`);
}

const PAGE = 50;
const STATUSES = ['delivered', 'registered', 'in-progress', 'awaiting-documentation', 'decided', 'paid', 'closed', 'rejected'];
const SORTS = ['-sentAt', 'sentAt', 'nextDeadline', 'name'];
const WITHIN = ['7', '14', '30', '60'];

/** The overview's search, filters, sort and page, as the address has them. */
function listQuery(query) {
  const g = (k) => (query?.get(k) || '').trim();
  const page = Math.max(1, Number.parseInt(g('side'), 10) || 1);
  return { q: g('q'), status: g('status'), blanket: g('blanket'), deadlineWithin: g('deadlineWithin'), sort: SORTS.includes(g('sort')) ? g('sort') : '', page };
}

/** The API's parameters for a list query (without paging with csv). */
function apiParams(lq, csv) {
  const p = new URLSearchParams();
  for (const k of ['q', 'status', 'blanket', 'deadlineWithin', 'sort']) if (lq[k]) p.set(k, lq[k]);
  if (csv) p.set('format', 'csv');
  else { p.set('offset', String((lq.page - 1) * PAGE)); p.set('limit', String(PAGE)); }
  return p;
}

/** The overview's own address for a list query on page n. */
function pageHref(lq, n) {
  const p = new URLSearchParams();
  for (const k of ['q', 'status', 'blanket', 'deadlineWithin', 'sort']) if (lq[k]) p.set(k, lq[k]);
  if (n > 1) p.set('side', String(n));
  const s = p.toString();
  return s ? `${BASE}?${s}` : BASE;
}

/** DKFDS pagination: previous, the page numbers (with … for long lists) and next. */
function pagination(lq, pages) {
  const cur = lq.page;
  const nums = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - cur) <= 1) nums.push(n);
    else if (nums[nums.length - 1] !== '…') nums.push('…');
  }
  return html`<nav class="pagination mt-5" aria-label="${t('overview.pages')}" id="absences-pages">
    <a href="${pageHref(lq, cur - 1)}" class="button button-arrow button-previous page-button${cur <= 1 ? ' hidden' : ''}"${cur <= 1 ? html` aria-hidden="true" tabindex="-1"` : ''}>${icon('chevron-left')}<span class="pagination-nav-link">${t('overview.page.prev')}</span></a>
    <span class="pagination-mobile h6">${t('overview.page', { n: cur })} / ${pages}</span>
    <ul class="pagination__items">${nums.map((n) => (n === '…'
    ? html`<li class="pagination-item pagination-overflow"><span>…</span></li>`
    : html`<li class="pagination-item pagination-number"><a href="${pageHref(lq, n)}" class="button${n === cur ? ' current-page' : ''}" aria-label="${t('overview.page', { n })}"${n === cur ? html` aria-current="page"` : ''}>${n}</a></li>`))}</ul>
    <a href="${pageHref(lq, cur + 1)}" class="button button-arrow button-next page-button${cur >= pages ? ' hidden' : ''}"${cur >= pages ? html` aria-hidden="true" tabindex="-1"` : ''}><span class="pagination-nav-link">${t('overview.page.next')}</span>${icon('chevron-right')}</a>
  </nav>`;
}

function selectField(id, name, labelText, value, options) {
  return html`<div class="form-group mt-0 mr-5">
    <label class="form-label" for="${id}">${labelText}</label>
    <select class="form-select" id="${id}" name="${name}">${options.map(([v, txt]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${txt}</option>`)}</select>
  </div>`;
}

/** The search and filter form of the overview. */
function searchForm(lq, forms) {
  const any = lq.q || lq.status || lq.blanket || lq.deadlineWithin || lq.sort;
  return html`<form id="absences-search" class="mb-5" role="search" novalidate>
    <div class="form-group">
      <label class="form-label" for="search-q">${t('overview.search')}</label>
      <input type="search" class="form-input input-width-l" id="search-q" name="q" value="${lq.q}" autocomplete="off">
    </div>
    <div class="d-flex flex-wrap mt-5">
      ${selectField('filter-status', 'status', t('overview.filter.status'), lq.status, [['', t('overview.filter.all')], ...STATUSES.map((s) => [s, statusText(s)])])}
      ${selectField('filter-blanket', 'blanket', t('overview.filter.form'), lq.blanket, [['', t('overview.filter.all')], ...forms.map((b) => [b.type, pick(b.title)])])}
      ${selectField('filter-deadline', 'deadlineWithin', t('overview.filter.deadline'), lq.deadlineWithin, [['', t('overview.filter.all')], ...WITHIN.map((n) => [n, t('overview.filter.days', { n })])])}
      ${selectField('sort', 'sort', t('overview.sort'), lq.sort || '-sentAt', SORTS.map((s) => [s, t('overview.sort.' + s)]))}
    </div>
    <div class="d-flex flex-wrap align-items-center mt-5">
      <button type="submit" class="button button-primary mr-5" id="search-submit">${t('overview.apply')}</button>
      ${any ? html`<a href="${BASE}" class="mr-5" id="search-reset">${t('overview.reset')}</a>` : ''}
      <button type="button" class="button button-secondary" id="absences-csv">${icon('download')}${t('overview.csv')}</button>
    </div>
  </form>
  <div id="csv-error"></div>`;
}

export function overview(query) {
  const need = requireSender();
  if (need) return need;
  const lq = listQuery(query);
  return {
    title: t('overview.title'),
    body: html`<h1 tabindex="-1">${t('overview.title')}</h1>
      <p class="font-lead">${t('overview.lead')}</p>
      <p><a href="${BASE}/ny" class="button button-primary" id="new-report">${t('overview.new')}</a></p>
      <h2>${t('overview.list')}</h2>
      <div id="absences-search-box"></div>
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
      const role = session().claims.role;
      const forms = (await blankets()).filter((b) => b.roles.includes(role));
      ctx.el.querySelector('#absences-search-box').innerHTML = String(searchForm(lq, forms));
      const form = ctx.el.querySelector('#absences-search');
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const fd = new FormData(form);
        const next = { q: String(fd.get('q') || '').trim(), status: fd.get('status') || '', blanket: fd.get('blanket') || '', deadlineWithin: fd.get('deadlineWithin') || '', sort: fd.get('sort') === '-sentAt' ? '' : fd.get('sort') || '', page: 1 };
        ctx.go(pageHref(next, 1));
      });
      ctx.el.querySelector('#absences-csv').addEventListener('click', async () => {
        const errBox = ctx.el.querySelector('#csv-error');
        errBox.innerHTML = '';
        try {
          await download('/api/v1/feedback/absences?' + apiParams(lq, true), `fravaer-${new Date().toISOString().slice(0, 10)}.csv`);
        } catch {
          errBox.innerHTML = String(html`<div class="alert alert-error" role="alert">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body"><p class="alert-text">${t('overview.csv.failed')}</p></div></div>`);
        }
      });
      const box = ctx.el.querySelector('#absences-box');
      let res = null;
      let failed = false;
      let fieldErrors = [];
      try {
        res = await api('GET', '/api/v1/feedback/absences?' + apiParams(lq, false));
      } catch (e) {
        failed = true;
        if (e instanceof ApiError && e.status === 400) fieldErrors = e.fieldErrors;
      }
      const list = res?.absences || [];
      const filtered = Boolean(lq.q || lq.status || lq.blanket || lq.deadlineWithin || lq.page > 1);
      // Reports sent from this tab that the list has not caught up with yet
      // (only on the unfiltered first page, where the newest are).
      const known = new Set(list.map((a) => a.absenceId + '/' + a.receipt));
      const knownIds = new Set(list.map((a) => a.absenceId));
      const pending = filtered ? [] : sentHere().filter((a) => !known.has(a.absenceId + '/' + a.receipt) && !knownIds.has(a.absenceId))
        .map((a) => ({ ...a, pending: true }));
      const rows = [...pending, ...list];
      const titles = {};
      for (const a of rows) titles[a.blanket] = await blanketTitle(a.blanket, true);
      // The follow-ups of cases without a case view start here: what their
      // receipt is measured against (as the case view records it).
      const follows = {};
      for (const b of (await blankets()).filter((x) => x.followUp && x.roles.includes(session().claims.role))) (follows[b.family] ||= []).push(b);
      for (const a of list) {
        if (!a.feedback && a.status !== 'rejected' && follows[loadedBlanket(a.blanket)?.family]) sessionStorage.setItem('nr.followUps.' + a.absenceId, JSON.stringify({ n: Number(a.followUps) || 0, receipt: a.receipt || '' }));
      }
      const total = Number.isFinite(res?.total) ? res.total : null;
      const from = (lq.page - 1) * PAGE;
      const pages = total !== null ? Math.max(1, Math.ceil(total / PAGE)) : lq.page + (res?.more ? 1 : 0);
      const count = list.length ? html`<p class="form-hint" id="absences-count" role="status">${total !== null
        ? tn('overview.count', total, { from: from + 1, to: from + list.length, total }) : t('overview.countMore', { from: from + 1, to: from + list.length })}</p>` : '';
      if (fieldErrors.length) {
        box.innerHTML = String(html`<div class="alert alert-error" role="alert" id="absences-error">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body">
          <p class="alert-text">${t('overview.badRequest')}</p><ul class="alert-text">${fieldErrors.map((e) => html`<li>${pick(e)}</li>`)}</ul></div></div>`);
      } else if (!rows.length) {
        box.innerHTML = String(html`<p id="absences-empty">${failed ? t('overview.unavailable') : filtered ? t('overview.noMatch') : t('overview.empty')}</p>`);
      } else {
        box.innerHTML = String(html`${count}<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('overview.list')}">
          <table class="table table--compact" id="absences">
            <thead><tr>
              <th scope="col">${t('overview.col.employee')}</th><th scope="col">${t('overview.col.formReceipt')}</th>
              <th scope="col">${t('overview.col.absence')}</th><th scope="col">${t('overview.col.statusRecipient')}</th>
              <th scope="col">${t('overview.col.deadline')}</th><th scope="col">${t('overview.col.action')}</th>
            </tr></thead>
            <tbody>${absenceRows(rows, titles, follows)}</tbody>
          </table>
        </div>
        ${pages > 1 ? pagination(lq, pages) : ''}
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

/** Server errors of a 400 answer mapped onto the blanket's fields (a row's error onto the row's first question). */
function mapServerErrors(fields, errs) {
  return errs.map((e) => {
    const f = fieldOf(fields, {}, e.field);
    return { field: f ? f.path : e.field, da: e.da, en: e.en, page: f ? f.page : -1 };
  });
}

function serverMessage(fields, e) {
  const f = fieldOf(fields, {}, e.field);
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
        // A list's rows are questions of their own (form.js expand).
        for (const f of expand(pageFields, d.answers)) {
          let msg = showErrors ? validate(f, d.answers) : null;
          if (!msg) {
            const se = d.serverErrors.find((e) => e.field === f.path);
            if (se) msg = serverMessage(expand(fields, d.answers), se);
          }
          if (msg) errs.push({ f, msg });
        }
        const errOf = (f) => errs.find((e) => e.f.path === f.path)?.msg;
        const ctxFields = Object.entries(contextValues(b, session().claims, d)).filter(([, v]) => v);
        ctx.setTitle(pick(page.title) + ' – ' + pick(b.title));
        ctx.el.querySelector('#blanket').innerHTML = String(layout(b, slug, d, index, html`
          <a href="${index === 0 ? (b.followUp && d.absenceId ? (b.family === 'subsidy' ? BASE : `${BASE}/fravaer/${d.absenceId}`) : BASE + '/ny') : `${BASE}/ny/${slug}/${index}`}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          ${stepOf(b, index)}
          <h1 tabindex="-1"><span class="sr-only">${pick(b.title)}: </span>${pick(page.title)}</h1>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: '#' + focusId(e.f) })))}
          ${index === 0 && ctxFields.length ? html`<p>${t('form.context')}: ${ctxFields.map(([k, v]) => html`<strong>${k === 'cvr' ? t('form.cvr') : k === 'cpr' ? t('form.cpr') : k === 'absenceId' ? t('receipt.absence') : k} ${v}</strong> `)}</p>` : ''}
          <form id="step-form" novalidate>
            ${pageFields.map((f) => renderField(f, d.answers, errOf(f), errOf))}
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
          const bad = expand(pageFields, d.answers).some((f) => validate(f, d.answers));
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
        // Add or remove a row of a list (buttons, not submits: Enter still
        // means Next): the answers kept, the page again without errors until
        // the next Next, the row's heading focused.
        ctx.el.querySelector('#step-form').addEventListener('click', (e) => {
          const btn = e.target.closest('button[name="row-action"]');
          if (!btn) return;
          readAnswers(e.currentTarget, pageFields, d.answers);
          const moved = rowAction(btn, pageFields, d.answers);
          if (!moved) return;
          d.shown = d.shown.filter((i) => i !== index);
          saveDraft(slug, d);
          draw(false);
          document.getElementById(moved)?.focus();
        });
      };
      // Errors once shown stay through a redraw (a change of language).
      draw(d.shown.includes(index));
    },
  };
}

function previewInput(data) {
  const pick2 = {};
  for (const k of ['firstAbsenceDay', 'lastAbsenceDay', 'employedSince', 'hoursLast8Weeks', 'wagesPaid', 'hourlyEarnings', 'weeklyHours', 'pregnancyRelated', 'flexjob', 'insuredSection55']) {
    if (data[k] !== undefined) pick2[k] = data[k];
  }
  pick2.section56 = Boolean(data.section56);
  // The agreement's reference is checked against the municipality's approvals (sygedagpengeloven § 56).
  if (data.section56?.reference) { pick2.section56Reference = data.section56.reference; if (data.cpr) pick2.cpr = data.cpr; }
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
      <div class="details-text"><ul>${p.reasons.map((r) => html`<li>${l === 'en' ? r.textEn : r.textDa} <span class="form-hint">(${law(r.law)})</span></li>`)}</ul></div></details>` : ''}`;
}

// ---------- previews ----------

/** The value at a dotted path of a preview answer. */
function at(o, path) { return String(path).split('.').reduce((x, k) => (x && typeof x === 'object' ? x[k] : undefined), o); }

/** One value of a preview answer as the hints format it (kroner, date, month, days, yes/no, an option, text). */
function previewValue(res, spec, l) {
  if (Array.isArray(spec.value)) return spec.value.map((v) => previewValue(res, { ...spec, value: v }, l)).filter(Boolean).join(' – ');
  const v = at(res, spec.value);
  if (v === undefined || v === null || v === '') return pick(spec.empty) || '–';
  switch (spec.format) {
    case 'kroner': return formatKroner(v, l);
    case 'date': return formatDate(v, l);
    case 'month': return formatMonth(v, l);
    case 'yesno': return v ? t('yes') : t('no');
    case 'option': return pick(spec.options?.[v]) || String(v);
    default: return String(v);
  }
}

/** A month "2026-03" in words in the language ("marts 2026", "March 2026"). */
function formatMonth(ym, l) {
  const m = /^(\d{4})-(\d{2})$/.exec(String(ym));
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, 1)).toLocaleDateString(l === 'en' ? 'en-GB' : 'da-DK', { month: 'long', year: 'numeric', timeZone: 'UTC' }) : String(ym);
}

/**
 * The request of a preview whose hints map it: "input" names each key's
 * value, a path of the blanket's data or {"const": value}, e.g. the subsidy
 * preview's {"scheme": {"const": "flexjob"}, "amount": "wagesPaid"}.
 */
function previewRequest(p, data) {
  return Object.fromEntries(Object.entries(p.input).map(([k, src]) => [k, src && typeof src === 'object' ? src.const : at(data, src)]).filter(([, v]) => v !== undefined));
}

/** The blanket's path a preview's field error is about ("amount" is "wagesPaid" when "input" maps it so). */
function previewErrorField(p, field) {
  const src = p?.input?.[field];
  return typeof src === 'string' ? src : field;
}

/**
 * A preview drawn from its hints: "rows" ([{label, value, format}]) as a
 * list, "table" ({value, columns}) as a table of the answer's list at
 * value, then the answer's provisional note and reasons.
 */
function renderPreviewFromHints(p, res) {
  const l = lang();
  const title = pick(p.title) || t('preview.title');
  const rows = (p.rows || []).map((r) => [pick(r.label), previewValue(res, r, l)]);
  const list = p.table ? at(res, p.table.value) || [] : [];
  return html`<h2>${title}</h2>
    <p>${pick(p.lead) || t('preview.lead')}</p>
    ${p.table && list.length ? html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${pick(p.table.caption) || title}">
      <table class="table table--compact" id="preview-table"><thead><tr>${p.table.columns.map((c) => html`<th scope="col">${pick(c.label)}</th>`)}</tr></thead>
      <tbody>${list.map((x) => html`<tr>${p.table.columns.map((c) => html`<td>${previewValue(x, c, l)}</td>`)}</tr>`)}</tbody></table></div>` : ''}
    ${rows.length ? html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${title}">
      <table class="table structured-list" id="preview"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table></div>` : ''}
    ${res.provisional ? html`<p class="form-hint">${pick(p.provisional) || t('preview.provisional')}</p>` : ''}
    ${res.reasons?.length ? html`<details class="details"><summary class="details-summary">${t('preview.reasons')}</summary>
      <div class="details-text"><ul>${res.reasons.map((r) => html`<li>${l === 'en' ? r.textEn : r.textDa} <span class="form-hint">(${law(r.law)})</span></li>`)}</ul></div></details>` : ''}`;
}

/**
 * The markup of a blanket's preview before sending (its hints' "preview"):
 * true is the sickness refusion preview; {"path", "fields", "title", "lead",
 * "rows", "table"} posts the blanket's data (only the top-level "fields"
 * when given) to path and draws the answer from the hints. A 422 or 400
 * answer's own words are shown; anything else says the preview is not
 * available (sending still works).
 */
export async function previewMarkup(b, data, fields) {
  const p = b.preview === true ? null : b.preview;
  const title = pick(p?.title) || t('preview.title');
  try {
    if (!p) return renderPreview(await api('POST', '/api/v1/refusion/preview', previewInput(data)));
    const input = p.input ? previewRequest(p, data) : p.fields ? Object.fromEntries(p.fields.filter((k) => data[k] !== undefined).map((k) => [k, data[k]])) : data;
    return renderPreviewFromHints(p, await api('POST', p.path, input));
  } catch (e) {
    let msgs = [t('preview.unavailable')];
    if (e instanceof ApiError && e.status === 400 && e.fieldErrors.length) msgs = e.fieldErrors.map((x) => serverMessage(fields, { ...x, field: previewErrorField(p, x.field) }));
    else if (e instanceof ApiError && e.body && e.status === 422) msgs = [pick(e.body)];
    return html`<h2>${title}</h2><div class="alert alert-info">${icon('info', 'Information')}<div class="alert-body">${msgs.map((m) => html`<p class="alert-text">${m}</p>`)}</div></div>`;
  }
}

export function check(slug, query) {
  return {
    title: t('check.title'),
    body: html`<div id="blanket"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const { need, b, schema, fields: top } = await setup(slug);
      if (need) { ctx.handle(need); return; }
      const d = loadDraft(slug);
      // Every question, a list's rows included (form.js expand).
      const fields = expand(top, d.answers);
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
        const markup = await previewMarkup(b, data(), fields);
        if (box.isConnected) box.innerHTML = String(markup);
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

/** The slug of a blanket type ('' when unknown), for the per-form texts. */
async function slugOf(type) {
  return (await blankets()).find((b) => b.type === type)?.slug || '';
}

function formText(kind, slug, vars) {
  const k = `receipt.${kind}.${slug}`;
  return t(t(k) === k ? `receipt.${kind}.default` : k, vars);
}

function capital(s) { return s ? s[0].toUpperCase() + s.slice(1) : s; }

/**
 * The reasons of a rejection ([{field, code, da, en}]) as a list, each
 * field named by the label blanket b's form gives it (the path otherwise).
 */
export function reasonList(reasons, id, b) {
  const list = (reasons || []).filter((r) => pick(r));
  if (!list.length) return '';
  const label = (field) => (b?.fields?.[field]?.label ? pick(b.fields[field].label) : field);
  return html`<ul class="alert-text"${id ? html` id="${id}"` : ''}>${list.map((r) => html`<li>${pick(r)}${r.field ? html` <span class="form-hint">(${t('case.rejected.field', { field: label(r.field) })})</span>` : ''}</li>`)}</ul>`;
}

/** The loaded blanket of an event type (after blankets() resolved), or null. */
export function loadedBlanket(type) { return blanketList?.find((b) => b.type === type) || null; }

/**
 * What the list says of receipt rc: 'rejected' (with the reasons),
 * 'delivered' (with the recipient's name) or null while it is checked. A
 * first report is passed on once its own row is listed; a follow-up once
 * its absence counts one more follow-up than when it was started.
 */
function receiptOutcome(rc, rows) {
  const rej = rows.find((a) => a.status === 'rejected' && a.receipt === rc.receipt);
  if (rej) return { state: 'rejected', reasons: rej.reasons || [] };
  const row = rows.find((a) => a.absenceId === rc.stream && a.status !== 'rejected' && (rc.followUp || a.receipt === rc.receipt));
  if (!row) return null;
  if (rc.followUp && !(rc.base && Number.isFinite(rc.base.n) && Number(row.followUps) > rc.base.n)) return null;
  return { state: 'delivered', recipientName: row.recipientName || '' };
}

/** The receipt's status box: being checked, passed on, or rejected with its reasons. */
function receiptStatus(rc, slug, gaveUp) {
  const what = formText('what', slug);
  const o = rc.outcome;
  if (o?.state === 'rejected') {
    return html`<div class="alert alert-error" role="alert" id="receipt" data-state="rejected">${icon('error', t('error.prefix').replace(':', ''))}
      <div class="alert-body">
        <h2 class="alert-heading">${t('receipt.rejected', { What: capital(what) })}</h2>
        <p class="alert-text">${t('receipt.rejected.text', { What: capital(what) })}</p>
        ${reasonList(o.reasons, 'receipt-reasons', blanketList?.find((b) => b.slug === slug))}
      </div></div>`;
  }
  if (o?.state === 'delivered') {
    return html`<div class="alert alert-success" role="status" id="receipt" data-state="delivered">${icon('success', 'OK')}
      <div class="alert-body">
        <h2 class="alert-heading">${t('receipt.delivered', { What: capital(what) })}</h2>
        <p class="alert-text">${t('receipt.delivered.text', { what, recipient: o.recipientName || t('receipt.recipient.unknown') })}</p>
      </div></div>`;
  }
  return html`<div class="alert alert-info" role="status" id="receipt" data-state="checking">${icon('info', 'Information')}
    <div class="alert-body">
      <h2 class="alert-heading">${t('receipt.checking')}</h2>
      <p class="alert-text">${gaveUp ? t('receipt.stillChecking.text') : t('receipt.checking.text')}</p>
      ${gaveUp ? html`<p class="alert-text"><a href="${BASE}" id="receipt-follow">${t('receipt.overview')}</a></p>` : ''}
    </div></div>`;
}

export function receipt(absenceId) {
  const need = requireSender();
  if (need) return need;
  const key = 'nr.receipt.' + absenceId;
  const rc = JSON.parse(sessionStorage.getItem(key) || 'null') || sentHere().find((a) => a.absenceId === absenceId);
  if (!rc) {
    return { title: t('receipt.title'), body: html`<h1 tabindex="-1">${t('receipt.title')}</h1><p>${t('receipt.missing')}</p><p><a href="${BASE}">${t('receipt.overview')}</a></p>` };
  }
  if (!rc.stream) rc.stream = absenceId;
  const l = lang();
  return {
    title: t('receipt.title'),
    body: html`<h1 tabindex="-1">${t('receipt.title')}</h1>
      <div id="receipt-status">${receiptStatus(rc, '', Boolean(rc.gaveUp))}</div>
      <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('receipt.title')}">
      <table class="table structured-list"><tbody>
        <tr><th scope="row">${t('receipt.number')}</th><td id="receipt-number"><strong>${rc.receipt}</strong></td></tr>
        <tr><th scope="row">${t('receipt.received')}</th><td>${formatDateTime(rc.receivedAt, l)}</td></tr>
        <tr><th scope="row">${t('receipt.form')}</th><td>${pick(rc.title)}</td></tr>
        <tr><th scope="row">${t('receipt.absence')}</th><td>${absenceId}</td></tr>
      </tbody></table></div>
      <h2>${t('receipt.next')}</h2>
      <p id="receipt-next"></p>
      <div id="receipt-pdf-error"></div>
      <p class="d-print-none">
        <button type="button" class="button button-secondary mr-5" id="receipt-pdf">${icon('download')}${t('receipt.pdf')}</button>
        <button type="button" class="button button-secondary mr-5" data-action="print">${icon('print')}${t('print')}</button>
        ${rc.followUp && !String(rc.blanket).startsWith('dk.nemrefusion.subsidy.') ? html`<a href="${BASE}/fravaer/${absenceId}" class="button button-secondary mr-5" id="to-case">${t('case.back')}</a>` : ''}
        <a href="${BASE}" class="button button-primary">${t('receipt.overview')}</a>
      </p>`,
    async after(ctx) {
      const slug = await slugOf(rc.blanket);
      const statusBox = ctx.el.querySelector('#receipt-status');
      // What happens next depends on the form, and on whether the checks rejected it.
      const draw = () => {
        statusBox.innerHTML = String(receiptStatus(rc, slug, Boolean(rc.gaveUp)));
        ctx.el.querySelector('#receipt-next').textContent = rc.outcome?.state === 'rejected' ? t('receipt.rejected.after') : formText('next', slug);
      };
      draw();
      ctx.el.querySelector('#receipt-pdf').addEventListener('click', async () => {
        const errBox = ctx.el.querySelector('#receipt-pdf-error');
        errBox.innerHTML = '';
        try {
          await download(`/api/v1/receipts/${encodeURIComponent(rc.receipt)}`, `kvittering-${rc.receipt}.pdf`);
        } catch {
          errBox.innerHTML = String(html`<div class="alert alert-error" role="alert" id="receipt-pdf-failed">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body"><p class="alert-text">${t('receipt.pdf.failed')}</p></div></div>`);
        }
      });
      if (rc.outcome || rc.gaveUp) return;
      // The checks run right after the receipt: ask the list every second
      // for about ten seconds, then leave the way to the overview.
      const q = (r) => api('GET', '/api/v1/feedback/absences?' + new URLSearchParams({ q: r, limit: '50' })).then((x) => x?.absences || []).catch(() => []);
      for (let i = 0; i < 10; i++) {
        await new Promise((res) => { setTimeout(res, 1000); });
        if (!statusBox.isConnected) return; // the page was left or redrawn
        const lists = await Promise.all([q(rc.receipt), ...(rc.followUp && rc.base?.receipt ? [q(rc.base.receipt)] : [])]);
        if (!statusBox.isConnected) return;
        const o = receiptOutcome(rc, lists.flat());
        if (o) {
          rc.outcome = o;
          sessionStorage.setItem(key, JSON.stringify(rc));
          draw();
          return;
        }
      }
      rc.gaveUp = true;
      sessionStorage.setItem(key, JSON.stringify(rc));
      draw();
    },
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

/**
 * The blankets a case offers besides its follow-ups (hints' "fromCase"):
 * those whose "blankets" name the case's first report, unless the case has
 * one of "unless" (e.g. a last absence day); "within" ({of, days, late})
 * offers one only until "days" days after the case's date "of", and after
 * that says why not (late, {date} the last day). Each is {b, late, prefill}
 * (prefill: the first answers, taken from the case).
 */
function caseOffers(all, role, sum) {
  const now = new Date();
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return all.filter((b) => b.fromCase && b.roles.includes(role) && (b.fromCase.blankets || []).includes(sum.blanket)
    && !(b.fromCase.unless || []).some((k) => sum[k]))
    .map((b) => {
      const w = b.fromCase.within;
      const last = w && sum[w.of] ? new Date(Date.parse(sum[w.of] + 'T00:00:00Z') + w.days * 86400000).toISOString().slice(0, 10) : '';
      const prefill = {};
      for (const [path, src] of Object.entries(b.fromCase.prefill || {})) {
        const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(sum[src] || '');
        if (m) prefill[path] = { d: String(Number(m[3])), m: String(Number(m[2])), y: m[1] };
        else if (sum[src]) prefill[path] = String(sum[src]);
      }
      return { b, prefill, late: last && today > last ? pick(w.late).replace('{date}', formatDate(last, lang())) : '' };
    });
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
      const r = { periods: [], ...(v.reconciliation || {}) };
      for (const k of ['deadlines', 'decisions', 'payments', 'history', 'rejections']) v[k] = v[k] || [];
      const rejected = v.status === 'rejected';
      const open = sum && sum.state !== 'cancelled' && !rejected;
      // What a follow-up started here is measured against on its receipt page.
      if (sum && !rejected) sessionStorage.setItem('nr.followUps.' + id, JSON.stringify({ n: Number(sum.followUps) || 0, receipt: sum.receipt || '' }));
      const rejectionBox = v.rejections.length ? html`<div class="alert alert-error" role="alert" id="rejections">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body">
          <h2 class="alert-heading">${t('case.rejected')}</h2>
          ${await Promise.all(v.rejections.map(async (x) => html`<div class="js-rejection" data-receipt="${x.receipt || ''}">
            <p class="alert-text">${t('case.rejected.one', { receipt: x.receipt || '–', form: await blanketTitle(x.blanket), at: formatDateTime(x.at, l) })}</p>
            ${reasonList(x.reasons, '', loadedBlanket(x.blanket))}</div>`))}
        </div></div>` : '';
      // Only the follow-ups of the case's own family (a parental-leave case has no sickness recovery).
      const family = (await blankets()).find((b) => b.type === sum?.blanket)?.family || 'sickness';
      const follow = (await blankets()).filter((b) => b.followUp && b.roles.includes(role) && (b.family || 'sickness') === family)
        .filter((b) => open && !(b.slug === 'raskmelding' && sum.lastAbsenceDay) && !(b.slug === 'naeste-periode' && sum.lastAbsenceDay));
      const offers = open ? caseOffers(await blankets(), role, sum) : [];
      ctx.setTitle(t('case.title'));
      box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('receipt.overview')}</a>
        <h1 tabindex="-1">${t('case.title')}</h1>
        <p class="font-lead">${title}${sum?.firstAbsenceDay ? html` · ${t('overview.col.first')} ${formatDate(sum.firstAbsenceDay, l)}` : ''}</p>
        ${rejectionBox}
        ${r.differences ? html`<div class="alert alert-warning" role="alert" id="differences">${icon('warning', t('error.prefix').replace(':', ''))}<div class="alert-body">
          <h2 class="alert-heading">${tn('case.differences', r.differences)}</h2>
          <p class="alert-text">${t('case.differences.text')}</p></div></div>` : ''}
        <div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('case.facts')}">
        <table class="table structured-list" id="case-facts"><tbody>
          <tr><th scope="row">${t('overview.col.status')}</th><td>${statusText(v.status, v.recipient)}${v.statusAt ? html` <span class="form-hint">(${formatDateTime(v.statusAt, l)})</span>` : ''}</td></tr>
          ${rejected ? '' : html`<tr><th scope="row">${atRecipient('case.number', v.recipient)}</th><td>${v.caseNumber || atRecipient('case.noNumber', v.recipient)}</td></tr>`}
          ${rejected ? '' : html`<tr><th scope="row">${t('case.recipient')}</th><td>${v.recipientName || sum?.recipientName || v.recipient || '–'}</td></tr>`}
          ${sum ? html`<tr><th scope="row">${t('receipt.number')}</th><td>${sum.receipt}</td></tr>
          ${sum.firstAbsenceDay ? html`<tr><th scope="row">${t('case.period')}</th><td>${formatDate(sum.firstAbsenceDay, l)} –${sum.lastAbsenceDay ? html` ${formatDate(sum.lastAbsenceDay, l)}` : rejected ? '' : html` ${t('case.stillSick')}`}</td></tr>` : ''}
          ${sum.person?.name ? html`<tr><th scope="row">${t('overview.col.employee')}</th><td>${sum.person.name}${sum.person.cprMasked ? html` <span class="form-hint">(${sum.person.cprMasked})</span>` : ''}</td></tr>`
    : sum.person?.cprMasked ? html`<tr><th scope="row">${t('overview.col.employee')}</th><td>${sum.person.cprMasked}</td></tr>` : ''}
          ${rejected ? '' : html`<tr><th scope="row">${t('overview.col.action')}</th><td>${pick(sum.nextAction) || t('overview.action.none')}</td></tr>`}` : ''}
          <tr><th scope="row">${t('receipt.absence')}</th><td>${v.absenceId}</td></tr>
        </tbody></table></div>

        ${follow.length || offers.length ? html`<h2>${t('case.followUp')}</h2>
          <ul class="nobullet-list" id="follow-ups">${follow.map((b) => html`<li class="mb-3"><a href="${BASE}/fravaer/${id}/${b.slug}" class="function-link">${pick(b.title)}</a><br><span class="form-hint">${pick(b.description)}</span></li>`)}${offers.map((o) => (o.late
    ? html`<li class="mb-3" id="offer-${o.b.slug}" data-late="1"><strong>${pick(o.b.title)}</strong><br><span class="form-hint">${o.late}</span></li>`
    : html`<li class="mb-3" id="offer-${o.b.slug}"><a href="${BASE}/fravaer/${id}/${o.b.slug}" class="function-link" data-offer="${o.b.slug}">${pick(o.b.title)}</a><br><span class="form-hint">${pick(o.b.description)}</span></li>`))}</ul>` : ''}

        ${rejected && !v.history.length && !v.decisions.length ? '' : html`<h2>${t('case.deadlines')}</h2>
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
        <p>${atRecipient('case.reconciliation.lead', v.recipient)}</p>
        ${r.periods.length ? table('case-reconciliation', t('case.reconciliation'), [t('case.col.period'), t('case.col.expected'), t('case.col.decided'), t('case.col.paid'), t('case.col.status')],
    r.periods.map((p) => html`<tr${p.flags.length ? html` class="reconcile-difference"` : ''}>
      <td>${formatDate(p.from, l)} – ${formatDate(p.to, l)}</td>
      <td>${p.expectedOre == null ? '–' : kroner(p.expectedOre)}</td>
      <td>${p.decidedOre == null ? '–' : kroner(p.decidedOre)}</td>
      <td>${kroner(p.paidOre)}</td>
      <td>${lineStatus(p.status)}${p.flags.map((f) => html`<br><strong class="reconcile-flag">${icon('warning')}${flagText(f)}</strong>`)}</td></tr>`)) : html`<p>${t('case.reconciliation.none')}</p>`}

        <h2>${atRecipient('case.history', v.recipient)}</h2>
        ${v.history.length ? table('case-history', atRecipient('case.history', v.recipient), [t('case.col.date'), t('overview.col.status')],
    v.history.map((h) => html`<tr><td>${formatDateTime(h.changedAt, l)}</td><td>${statusText(h.status, v.recipient)}${h.noteDa ? html`<br><span class="form-hint">${l === 'en' ? h.noteEn : h.noteDa}</span>` : ''}</td></tr>`)) : html`<p>${atRecipient('case.history.none', v.recipient)}</p>`}`}`);
      // An offered blanket starts from the case's answers (prefill).
      for (const a of box.querySelectorAll('[data-offer]')) {
        a.addEventListener('click', () => {
          const o = offers.find((x) => x.b.slug === a.dataset.offer);
          dropDraft(o.b.slug);
          saveDraft(o.b.slug, { ...loadDraft(o.b.slug), absenceId: id, answers: { ...o.prefill } });
        });
      }
      ctx.focusHeading();
    },
  };
}
