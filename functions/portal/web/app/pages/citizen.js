// Mit Sygefravær for citizens (seeds/003), on the citizen API
// (/api/v1/citizen): the tabs "Mit forløb" (task counter, the legal text to
// acknowledge, the tasks in order with Start, "Modtaget fra kommunen" and
// "Indsendt af dig / Kvittering"), "Status på min sag", "Meld dig rask",
// "Upload dokumentation", "Delvist genoptaget arbejde" and "Fuldmagt", and
// the receipt of every answer. The tasks and the information form have
// their own modules.

import { html, icon, formatDate, formatDateTime, formatKroner } from '../dom.js';
import { t, tn, pick, lang } from '../i18n.js';
import { session, audience, loginAge } from '../auth.js';
import { api, download, ApiError } from '../api.js';
import { errorSummary, label as fieldLabel } from '../form.js';
import {
  field, clientErrors, serverErrors, fieldMarkup, read, toJSON, summaryTable, state, fromJSON, summaryRows,
} from './czform.js';
import { fieldsOf } from './cztasks.js';
import { answerSections } from './infoform.js';

/** The base path of Mit Sygefravær. */
export const CZ = '/mit-sygefravaer';

/** Null when a citizen (or proxy) is logged in, else what the router must do. */
export function requireCitizen() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'citizen') return { forbidden: true };
  return null;
}

/** "Mit forløb" from the citizen API: {counter, absences}. */
export async function overviewData() {
  lastOverview = await api('GET', '/api/v1/citizen/absences');
  return lastOverview;
}

// The last "Mit forløb" read in this tab: the log-off warning counts its
// open tasks.
let lastOverview = null;

/** The absence's path in the citizen API. */
export function absenceAPI(id) { return '/api/v1/citizen/absences/' + encodeURIComponent(id); }

/** The name of who reported the absence (the employer, or the person themself). */
export function senderName(a) {
  return a.sender?.name || (a.personKind === 'self-employed' ? t('cz.selfReported') : a.sender?.cvr || t('cz.yourEmployer'));
}

/** A heading text naming the absence. */
export function absenceName(a) {
  return t('cz.absenceAt', { sender: senderName(a), date: formatDate(a.firstAbsenceDay, lang()) });
}

/** The task's page. */
export function taskHref(absence, task) {
  return task.kind === 'information-form' ? `${CZ}/${absence}/oplysningsskema` : `${CZ}/${absence}/opgave/${task.id}`;
}

/** True when the login is too old to sign (the API would answer 401). */
export async function needsFreshLogin(ctx) {
  const maxAge = (await ctx.config()).signingMaxAgeSeconds || 300;
  return loginAge() > maxAge - 15;
}

/** The alert asking for a fresh login before signing, returning to path. */
export function resignAlert(path) {
  return html`<div class="alert alert-warning" role="alert" id="resign" tabindex="-1">${icon('warning', t('error.prefix').replace(':', ''))}<div class="alert-body">
    <h2 class="alert-heading">${t('check.resign')}</h2>
    <p class="alert-text">${t('cz.resign.text')}</p>
    <p class="mt-4"><button type="button" class="button button-primary" data-action="login" data-fresh="1" data-return="${path}">${t('cz.resign.button')}</button></p>
  </div></div>`;
}

/** Remembers a receipt of a sent answer (the API's answer) for its page. */
export function rememberReceipt(absence, out) {
  sessionStorage.setItem('nr.cz.receipt.' + out.receipt.answerId, JSON.stringify({ absence, ...out }));
}

function counter(n, id) {
  return n > 0
    ? html`<span class="badge badge-error"${id ? html` id="${id}"` : ''}><span class="sr-only">${tn('cz.counter.sr', n)}</span><span aria-hidden="true">${n}</span></span>`
    : html`<span class="badge badge-success"${id ? html` id="${id}"` : ''}>${icon('check', t('citizen.tasks.none'))}</span>`;
}

// ---------- tabs ----------

function tabsOf(ov) {
  const active = ov.absences.some((a) => a.active);
  const tabs = [[CZ, t('cz.tab.myCase')]];
  if (active) tabs.push([CZ + '/status', t('cz.tab.status')]);
  if (ov.absences.some((a) => a.offers?.recovery)) tabs.push([CZ + '/meld-dig-rask', t('cz.tab.recovery')]);
  tabs.push([CZ + '/upload', t('cz.tab.upload')]);
  if (ov.absences.some((a) => a.offers?.partialResumption)) tabs.push([CZ + '/delvist-genoptaget', t('cz.tab.partial')]);
  tabs.push([CZ + '/fuldmagt', t('cz.tab.proxy')]);
  return tabs;
}

function tabsMarkup(current, ov) {
  return html`<nav class="tab-container" aria-label="${t('cz.tabs')}">
    <ul class="tab-list">${tabsOf(ov).map(([href, text]) => html`<li><a class="tab-button" href="${href}"${href === current ? html` aria-current="page"` : ''}><span>${text}</span></a></li>`)}</ul>
  </nav>`;
}

/** A tab page: heading, the tabs and content drawn by draw(ctx, ov, el) once "Mit forløb" is loaded. */
function tabPage(path, titleKey, draw) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t(titleKey),
    body: html`${helpButton()}<h1 tabindex="-1">${t(titleKey)}</h1><div id="cz"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#cz');
      let ov;
      try {
        ov = await overviewData();
      } catch (e) {
        const msg = e instanceof ApiError && e.status === 403 && e.body ? pick(e.body) : t('cz.unavailable');
        box.innerHTML = String(html`<div class="alert alert-warning" role="alert"><div class="alert-body"><p class="alert-text">${msg}</p></div></div>`);
        return;
      }
      if (path !== CZ && !tabsOf(ov).some(([href]) => href === path)) { ctx.go(CZ, true); return; }
      box.innerHTML = String(html`${tabsMarkup(path, ov)}<div id="cz-content" class="mt-6"></div>`);
      await draw(ctx, ov, box.querySelector('#cz-content'));
    },
  };
}

// ---------- Mit forløb ----------

function legalText(a, i, err) {
  const id = `legal-${i}`;
  return html`<div class="mt-5" id="legal-box-${i}">
    <h3>${t('cz.legal.title')}</h3>
    <p>${t('cz.legal.lead')}</p>
    <details class="details"><summary class="details-summary">${t('cz.legal.read')}</summary>
      <div class="details-text"><p>${lang() === 'en' ? a.legalText.en : a.legalText.da}</p></div></details>
    <form class="legal-form mt-4" data-absence="${a.id}" data-index="${i}" novalidate>
      ${err ? errorSummary([{ text: t('cz.legal.required'), href: '#' + id }]) : ''}
      <div class="form-group${err ? ' form-error' : ''}">
        <fieldset${err ? html` aria-describedby="${id}-error"` : ''}>
          <legend class="form-label">${t('cz.legal.legend')}</legend>
          ${err ? html`<span class="form-error-message" id="${id}-error"><span class="sr-only">${t('error.prefix')} </span>${t('cz.legal.required')}</span>` : ''}
          <div class="form-group-checkbox">
            <input type="checkbox" class="form-checkbox" id="${id}" name="acknowledged" value="true">
            <label class="form-label" for="${id}">${t('cz.legal.check')}</label>
          </div>
        </fieldset>
      </div>
      <button type="submit" class="button button-primary mt-4">${t('cz.legal.confirm')}</button>
    </form>
  </div>`;
}

function taskList(a) {
  const l = lang();
  const open = a.tasks.filter((x) => x.status === 'open');
  if (!open.length) return html`<p>${t('citizen.tasks.none')}</p>`;
  return html`<ol class="cz-tasks">${open.map((x) => html`<li class="mb-4">
    <strong>${pick(x.title)}</strong><br>
    <span class="${x.overdue ? 'form-error-message' : 'form-hint'}">${t('cz.deadline', { date: formatDate(x.deadline, l) })}${x.overdue ? ` – ${t('cz.overdue')}` : ''}</span>
    ${x.id === a.next && a.legalText.acknowledged ? html`${a.draftStarted && x.kind === 'information-form' ? html`<br><span class="form-hint" id="draft-hint-${x.id}">${t('cz.draft.hint')}</span>` : ''}<br><a class="button button-primary mt-3" href="${taskHref(a.id, x)}" id="start-${x.id}">${a.draftStarted && x.kind === 'information-form' ? t('cz.continue') : t('cz.start')}<span class="sr-only"> ${pick(x.title)}</span></a>`
      : x.blockedBy === 'earlier-task-open' ? html`<br><span class="form-hint">${t('cz.afterEarlier')}</span>` : ''}
  </li>`)}</ol>`;
}

function received(a) {
  const l = lang();
  if (!a.tasks.length) return html`<p>${t('citizen.none')}</p>`;
  return html`<ul class="nobullet-list">${a.tasks.map((x) => html`<li class="mb-3">${pick(x.title)}<br><span class="form-hint">${t('cz.deadline', { date: formatDate(x.deadline, l) })}${x.status === 'answered' ? ` · ${t('cz.answered')}` : ''}${x.closed ? ` · ${pick(x.closed)}` : ''}</span></li>`)}</ul>`;
}

function sent(a) {
  const l = lang();
  // The receipts and the rejected uploads (seeds/003, "Virus-scanning"),
  // newest first.
  const items = [
    ...a.receipts.map((r) => ({ at: r.submittedAt, id: r.answerId, title: pick(r.title), rejected: false })),
    ...(a.rejectedUploads || []).map((u) => ({ at: u.rejectedAt, id: u.documentId, title: t('cz.rejectedReceipt.title'), rejected: true })),
  ].sort((x, y) => (x.at < y.at ? 1 : x.at > y.at ? -1 : 0));
  if (!items.length) return html`<p>${t('citizen.none')}</p>`;
  return html`<ul class="nobullet-list receipts">${items.map((r) => html`<li class="mb-3${r.rejected ? ' cz-rejected-receipt' : ''}">
    <a href="${CZ}/kvittering/${a.id}/${r.id}">${r.title}</a>${r.rejected ? html` <span class="badge badge-error">${t('cz.rejectedReceipt.badge')}</span>` : ''}<br><span class="form-hint">${formatDateTime(r.at, l)}</span></li>`)}</ul>`;
}

function absenceSection(a, i, legalErr) {
  const rejected = a.rejectedUploads?.length
    ? html`<div class="alert alert-error mt-5" role="alert">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body"><p class="alert-text">${t('cz.rejected')}</p></div></div>` : '';
  return html`<section class="mt-7" aria-labelledby="absence-${i}">
    <h2 id="absence-${i}">${absenceName(a)}</h2>
    ${rejected}
    ${a.legalText.acknowledged ? '' : legalText(a, i, legalErr)}
    <h3 class="mt-6">${t('citizen.tasks')} ${counter(a.counter)}</h3>
    ${taskList(a)}
    <div class="row mt-6">
      <div class="col-12 col-md-6"><h3 class="h4">${t('citizen.received')}</h3>${received(a)}</div>
      <div class="col-12 col-md-6"><h3 class="h4">${t('citizen.sent')}</h3>${sent(a)}</div>
    </div>
  </section>`;
}

/** Marks the absences whose information form has a draft (draftStarted). */
async function markDrafts(ov) {
  await Promise.all(ov.absences.map(async (a) => {
    const next = a.tasks.find((x) => x.id === a.next);
    if (next?.kind !== 'information-form') return;
    try {
      const f = await api('GET', absenceAPI(a.id) + '/information-form');
      a.draftStarted = (f.sections || []).some((x) => x.completed || (x.answers && Object.keys(x.answers).length));
    } catch { /* no draft shown */ }
  }));
}

export function myCase() {
  return tabPage(CZ, 'citizen.title', async (ctx, ov, el) => {
    await markDrafts(ov);
    // "Gem og gå til forsiden" in the information form comes back here with ?kladde=1.
    const saved = new URLSearchParams(location.search).get('kladde') === '1';
    const draw = (legalErr) => {
      el.innerHTML = String(html`${saved ? html`<div class="alert alert-success" role="status" id="draft-saved">${icon('success', 'OK')}<div class="alert-body">
          <h2 class="alert-heading">${t('cz.draft.saved')}</h2><p class="alert-text">${t('cz.draft.savedText')}</p></div></div>` : ''}
        <p class="font-lead">${t('citizen.lead')}</p>
        <p id="counter-line">${counter(ov.counter, 'task-counter')} ${ov.counter > 0 ? tn('citizen.tasks.count', ov.counter) : t('citizen.tasks.none')}</p>
        ${ov.absences.length ? ov.absences.map((a, i) => absenceSection(a, i, legalErr === i)) : html`<p id="no-absences">${t('cz.noAbsences')}</p>`}`);
      for (const form of el.querySelectorAll('.legal-form')) {
        form.addEventListener('submit', async (e) => {
          e.preventDefault();
          const i = Number(form.dataset.index);
          if (!form.elements.acknowledged.checked) {
            draw(i);
            el.querySelector('#error-summary')?.focus();
            return;
          }
          try {
            await api('POST', absenceAPI(form.dataset.absence) + '/legal-text', { acknowledged: true });
          } catch {
            draw(i);
            return;
          }
          ov = await overviewData();
          await markDrafts(ov);
          draw(null);
          document.getElementById(`absence-${i}`)?.setAttribute('tabindex', '-1');
          document.getElementById(`absence-${i}`)?.focus();
        });
      }
    };
    draw(null);
  });
}

// ---------- Status på min sag ----------

const CASE_STATUSES = ['registered', 'in-progress', 'awaiting-documentation', 'decided', 'closed'];

function caseStatusText(v) {
  if (!v.status) return t('cz.status.none');
  return CASE_STATUSES.includes(v.status) ? t('cz.status.s.' + v.status) : v.status;
}

function amountText(v, l) {
  if (v.amountBeforeTaxOre === undefined || v.amountBeforeTaxOre === null) {
    return v.outcome === 'refused' ? t('cz.status.refused') : t('cz.status.noAmount');
  }
  return formatKroner(v.amountBeforeTaxOre / 100, l);
}

/**
 * "Status på min sag" (seeds/003): per employment (absence) a block with
 * the employer, the first absence day, the case's status and the amount
 * calculated before tax, as the municipality's case system fed them back.
 * Shown only while the person is sick in some employment.
 */
export function status() {
  return tabPage(CZ + '/status', 'cz.tab.status', async (ctx, ov, el) => {
    const l = lang();
    const list = ov.absences.filter((a) => a.active);
    const views = await Promise.all(list.map((a) => api('GET', absenceAPI(a.id) + '/case-status').catch(() => null)));
    el.innerHTML = String(html`<p>${t('cz.status.lead')}</p>
      ${list.map((a, i) => {
    const v = views[i] || {};
    return html`<section class="mt-6 cz-status-block" aria-labelledby="status-h-${i}"><h2 class="h3" id="status-h-${i}">${absenceName(a)}</h2>
        ${summaryTable(absenceName(a), [
    [t('cz.status.employer'), senderName(a)],
    [t('cz.status.first'), formatDate(v.firstAbsenceDay || a.firstAbsenceDay, l)],
    [t('cz.status.last'), a.lastAbsenceDay ? formatDate(a.lastAbsenceDay, l) : t('cz.status.stillSick')],
    [t('cz.status.case'), caseStatusText(v)],
    ...(v.changedAt ? [[t('cz.status.changedAt'), formatDateTime(v.changedAt, l)]] : []),
    ...(v.note ? [[t('cz.status.note'), pick(v.note)]] : []),
    [t('cz.status.amount'), amountText(v, l)],
    ...(v.amountBeforeTaxOre !== undefined && v.amountBeforeTaxOre !== null ? [[t('cz.status.paidTo'), v.paidTo === 'employer' ? t('cz.status.paidToEmployer') : t('cz.status.paidToYou')]] : []),
    [t('cz.status.municipality'), a.municipality?.name || a.municipality?.number],
    [t('cz.status.open'), String(a.counter)],
  ], 'status-' + i)}</section>`;
  })}`);
  });
}

// ---------- Meld dig rask ----------

function dateField(id, labelKey, hintKey) {
  return field(id, 'date', { label: { da: t(labelKey), en: t(labelKey) }, hint: hintKey ? { da: t(hintKey), en: t(hintKey) } : undefined, required: true });
}

/** Chooses the absence (radio buttons) when there is more than one. */
function chooseAbsence(list, chosen) {
  if (list.length === 1) return html`<p>${t('cz.for')} <strong>${absenceName(list[0])}</strong></p><input type="hidden" name="absence" value="${list[0].id}">`;
  return html`<div class="form-group"><fieldset><legend class="form-label">${t('cz.chooseAbsence')}</legend>
    ${list.map((a, i) => html`<div class="form-group-radio"><input type="radio" class="form-radio" id="absence-option${i + 1}" name="absence" value="${a.id}"${(chosen ? chosen === a.id : i === 0) ? html` checked` : ''}>
    <label class="form-label" for="absence-option${i + 1}">${absenceName(a)}</label></div>`)}
  </fieldset></div>`;
}

/**
 * A report page of one question group (recovery, partial resumption,
 * documentation): the form, client and server errors, a fresh login to
 * sign, the POST and the receipt.
 */
function reportForm(ctx, el, { key, list, fields, lead, submitText, post, extra, onDraw }) {
  const st = state(key, () => ({ answers: {}, shown: false, serverErrors: [], absence: '' }));
  let alert = '';
  const draw = () => {
    const errs = [...(st.shown ? clientErrors(fields, st.answers) : []), ...serverErrors(fields, st.serverErrors)];
    el.innerHTML = String(html`${lead}
      ${errorSummary(errs.map((e) => ({ text: e.msg, href: e.f ? '#' + (e.f.kind === 'date' ? e.f.id + '-day' : e.f.id) : null })))}
      ${alert}
      <form id="report-form" novalidate>
        ${chooseAbsence(list, st.absence)}
        ${fields.map((f) => (f.hint.weeks ? weekSelect(f, st.answers, errs) : fieldMarkup(f, st.answers, errs)))}
        ${extra ? extra() : ''}
        <button type="submit" class="button button-primary mt-5" id="cz-send">${submitText}</button>
      </form>`);
    onDraw?.(el.querySelector('#report-form'), draw);
    if (errs.length) ctx.errorSummary();
    el.querySelector('#report-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const form = e.target;
      read(form, fields, st.answers);
      st.absence = form.querySelector('input[name="absence"]:checked')?.value || form.elements.absence?.value;
      st.serverErrors = [];
      st.shown = true;
      alert = '';
      if (clientErrors(fields, st.answers).length) { st.save(); draw(); return; }
      st.save();
      if (await needsFreshLogin(ctx)) {
        alert = resignAlert(location.pathname);
        draw();
        document.getElementById('resign')?.focus();
        return;
      }
      const btn = el.querySelector('#cz-send');
      btn.disabled = true;
      try {
        const out = await post(st.absence, toJSON(fields, st.answers), st);
        st.clear();
        rememberReceipt(st.absence, out);
        ctx.go(`${CZ}/kvittering/${st.absence}/${out.receipt.answerId}`);
      } catch (err) {
        if (err instanceof ApiError && err.needsFreshLogin) {
          alert = resignAlert(location.pathname);
        } else if (err instanceof ApiError && err.status === 400 && err.fieldErrors.length) {
          st.serverErrors = err.fieldErrors;
          st.save();
        } else {
          alert = html`<div class="alert alert-error" role="alert"><div class="alert-body"><p class="alert-text">${(err instanceof ApiError && err.body && pick(err.body)) || t('error.generic')}</p></div></div>`;
        }
        draw();
        (document.getElementById('resign') || document.getElementById('error-summary'))?.focus();
      }
    });
  };
  draw();
}

export function recovery() {
  return tabPage(CZ + '/meld-dig-rask', 'cz.tab.recovery', (ctx, ov, el) => {
    const list = ov.absences.filter((a) => a.offers?.recovery);
    const fields = [dateField('lastAbsenceDay', 'cz.recovery.last', 'cz.recovery.hint')];
    reportForm(ctx, el, {
      key: 'recovery', list, fields, lead: html`<p class="font-lead">${t('cz.recovery.lead')}</p>`, submitText: t('cz.signSend'),
      post: (absence, data) => api('POST', absenceAPI(absence) + '/recovery', data),
    });
  });
}

// ---------- Delvist genoptaget arbejde ----------

function mondayOf(d) {
  const x = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  x.setUTCDate(x.getUTCDate() - ((x.getUTCDay() + 6) % 7));
  return x;
}

/** The ISO 8601 week number of a UTC date. */
function isoWeek(d) {
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  x.setUTCDate(x.getUTCDate() + 3 - ((x.getUTCDay() + 6) % 7));
  const jan4 = new Date(Date.UTC(x.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((x - jan4) / 86400000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
}

/**
 * The weeks a partial resumption may name, newest first: [ISO Monday,
 * "Uge 49: 30. november – 6. december 2026"], from the week of the first
 * absence day (at most 26 weeks back) to this week.
 */
function weeksSince(firstDay) {
  const l = lang();
  const now = mondayOf(new Date());
  const f = /^(\d{4})-(\d{2})-(\d{2})$/.exec(firstDay || '');
  let from = f ? mondayOf(new Date(+f[1], +f[2] - 1, +f[3])) : now;
  const limit = new Date(now); limit.setUTCDate(limit.getUTCDate() - 7 * 25);
  if (from < limit) from = limit;
  const out = [];
  for (const m = new Date(now); m >= from; m.setUTCDate(m.getUTCDate() - 7)) {
    const sun = new Date(m); sun.setUTCDate(sun.getUTCDate() + 6);
    const iso = m.toISOString().slice(0, 10);
    out.push([iso, t('cz.partial.weekOption', { n: isoWeek(m), from: formatDate(iso, l), to: formatDate(sun.toISOString().slice(0, 10), l) })]);
  }
  return out;
}

/** A week chosen from a list (DKFDS select) for a field with hint.weeks. */
function weekSelect(f, answers, errs) {
  const msg = errs.find((e) => e.f === f)?.msg;
  const v = answers[f.path] || '';
  return html`<div class="form-group${msg ? ' form-error' : ''}">
    <label class="form-label" for="${f.id}">${fieldLabel(f)}</label>
    <span class="form-hint" id="${f.id}-hint">${t('cz.partial.weekPickHint')}</span>
    ${msg ? html`<span class="form-error-message" id="${f.id}-error"><span class="sr-only">${t('error.prefix')} </span>${msg}</span>` : ''}
    <select class="form-select cz-week" id="${f.id}" name="${f.path}" aria-describedby="${f.id}-hint${msg ? ` ${f.id}-error` : ''}">
      <option value="">${t('cz.partial.chooseWeek')}</option>
      ${f.hint.weeks.map(([iso, text]) => html`<option value="${iso}"${iso === v ? html` selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

export function partial() {
  return tabPage(CZ + '/delvist-genoptaget', 'cz.tab.partial', (ctx, ov, el) => {
    const list = ov.absences.filter((a) => a.offers?.partialResumption);
    const selfEmployed = list.every((a) => a.offers.partialResumption === 'incapacity');
    if (selfEmployed) {
      const fields = [
        dateField('incapacity.from', 'cz.partial.from'),
        field('incapacity.percent', 'integer', { label: { da: t('cz.partial.percent'), en: t('cz.partial.percent') }, required: true, node: { minimum: 0, maximum: 100 }, width: 'input-width-xs' }),
      ];
      reportForm(ctx, el, {
        key: 'partial', list, fields, lead: html`<p class="font-lead">${t('cz.partial.leadSelf')}</p>`, submitText: t('cz.signSend'),
        post: (absence, data) => api('POST', absenceAPI(absence) + '/partial-resumption', data),
      });
      return;
    }
    // Weeks: Monday of each week with hours and minutes worked; weeks are
    // added and removed as needed.
    const st0 = state('partial', () => ({ answers: {}, shown: false, serverErrors: [], absence: '', weeks: 1 }));
    // The weeks since the earliest absence's first day, chosen from a list.
    const first = list.map((a) => a.firstAbsenceDay).sort()[0];
    const weeks = weeksSince(first);
    const weekField = (i) => {
      const f = field(`weeks.${i}.weekStart`, 'text', { label: { da: t('cz.partial.week', { n: i + 1 }), en: t('cz.partial.week', { n: i + 1 }) }, required: true });
      f.hint.weeks = weeks;
      return f;
    };
    const fieldsOf = (n) => Array.from({ length: n }, (_, i) => [
      weekField(i),
      field(`weeks.${i}.hours`, 'integer', { label: { da: t('cz.partial.hours', { n: i + 1 }), en: t('cz.partial.hours', { n: i + 1 }) }, required: true, node: { minimum: 0, maximum: 80 }, width: 'input-width-xs' }),
      field(`weeks.${i}.minutes`, 'integer', { label: { da: t('cz.partial.minutes', { n: i + 1 }), en: t('cz.partial.minutes', { n: i + 1 }) }, node: { minimum: 0, maximum: 59 }, width: 'input-width-xs' }),
    ]).flat();
    if (typeof st0.answers['weeks.0.weekStart'] !== 'string' || !st0.answers['weeks.0.weekStart']) {
      st0.answers['weeks.0.weekStart'] = weeks[0][0];
      st0.save();
    }
    const fields = fieldsOf(st0.weeks || 1);
    reportForm(ctx, el, {
      key: 'partial', list, fields, lead: html`<p class="font-lead">${t('cz.partial.lead')}</p>`, submitText: t('cz.signSend'),
      extra: () => html`<p class="mt-4"><button type="button" class="button button-secondary" id="add-week">${t('cz.partial.add')}</button>
        ${(st0.weeks || 1) > 1 ? html` <button type="button" class="button button-tertiary" id="remove-week">${t('cz.partial.remove')}</button>` : ''}</p>`,
      onDraw: (form) => {
        const change = (d) => {
          const st = state('partial', () => st0);
          read(form, fields, st.answers);
          // The absence chosen stays; a week added or removed is not an
          // error until the person sends again.
          st.absence = form.querySelector('input[name="absence"]:checked')?.value || form.elements.absence?.value;
          st.shown = false;
          st.serverErrors = [];
          st.weeks = Math.max(1, (st.weeks || 1) + d);
          st.save();
          ctx.go(location.pathname, true);
        };
        form.querySelector('#add-week')?.addEventListener('click', () => change(1));
        form.querySelector('#remove-week')?.addEventListener('click', () => change(-1));
      },
      post: (absence, data) => {
        for (const w of data.weeks || []) if (w.minutes === undefined) w.minutes = 0;
        return api('POST', absenceAPI(absence) + '/partial-resumption', data);
      },
    });
  });
}

// ---------- Upload dokumentation ----------

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

export function upload() {
  return tabPage(CZ + '/upload', 'cz.tab.upload', (ctx, ov, el) => {
    const list = ov.absences;
    if (!list.length) { el.innerHTML = String(html`<p>${t('cz.noAbsences')}</p>`); return; }
    const fields = [
      field('title', 'text', { label: { da: t('cz.upload.title'), en: t('cz.upload.title') }, required: true, node: { minLength: 1, maxLength: 200 } }),
      field('reason', 'text', { label: { da: t('cz.upload.reason'), en: t('cz.upload.reason') }, required: true, multiline: true, node: { minLength: 1, maxLength: 2000 } }),
    ];
    let fileErr = '';
    let status = '';
    const st = state('upload', () => ({ answers: {}, shown: false, serverErrors: [], absence: '' }));
    const draw = () => {
      const errs = [...(st.shown ? clientErrors(fields, st.answers) : []), ...serverErrors(fields, st.serverErrors)];
      const all = [...errs.map((e) => ({ text: e.msg, href: e.f ? '#' + e.f.id : null })), ...(fileErr ? [{ text: fileErr, href: '#f-file' }] : [])];
      el.innerHTML = String(html`<p class="font-lead">${t('cz.upload.lead')}</p>
        ${errorSummary(all)}
        ${status}
        <form id="upload-form" novalidate>
          ${chooseAbsence(list, st.absence)}
          ${fields.map((f) => fieldMarkup(f, st.answers, errs))}
          <div class="form-group${fileErr ? ' form-error' : ''}">
            <label class="form-label" for="f-file">${t('cz.upload.file')}</label>
            <span class="form-hint" id="f-file-hint">${t('cz.upload.fileHint')}</span>
            ${fileErr ? html`<span class="form-error-message" id="f-file-error"><span class="sr-only">${t('error.prefix')} </span>${fileErr}</span>` : ''}
            <input type="file" id="f-file" name="file" accept=".pdf,.gif,.png,.jpg,.jpeg,application/pdf,image/gif,image/png,image/jpeg" aria-describedby="f-file-hint${fileErr ? ' f-file-error' : ''}">
          </div>
          <button type="submit" class="button button-primary mt-5" id="cz-send">${t('cz.upload.send')}</button>
        </form>`);
      if (all.length) ctx.errorSummary();
      el.querySelector('#upload-form').addEventListener('submit', async (e) => {
        e.preventDefault();
        const form = e.target;
        read(form, fields, st.answers);
        st.absence = form.querySelector('input[name="absence"]:checked')?.value || form.elements.absence?.value;
        st.shown = true;
        st.serverErrors = [];
        st.save();
        const file = form.elements.file.files[0];
        fileErr = file ? '' : t('cz.upload.fileRequired');
        status = '';
        if (clientErrors(fields, st.answers).length || fileErr) { draw(); return; }
        const data = toJSON(fields, st.answers);
        const btn = el.querySelector('#cz-send');
        btn.disabled = true;
        btn.textContent = t('cz.upload.sending');
        try {
          const fd = new FormData();
          fd.append('title', data.title);
          fd.append('absenceId', st.absence);
          fd.append('file', file, file.name);
          const doc = await api('POST', '/api/v1/documents', fd);
          status = html`<div class="alert alert-info" role="status" id="scan-status"><div class="alert-body"><p class="alert-text">${t('cz.upload.scanning')}</p></div></div>`;
          draw();
          // The document may go with the answer once the virus scan said
          // clean; until then the API answers not-scanned.
          for (let i = 0; ; i++) {
            try {
              const out = await api('POST', absenceAPI(st.absence) + '/documentation', { documentId: doc.id, reason: data.reason });
              st.clear();
              rememberReceipt(st.absence, out);
              ctx.go(`${CZ}/kvittering/${st.absence}/${out.receipt.answerId}`);
              return;
            } catch (err2) {
              const codes = err2 instanceof ApiError ? err2.fieldErrors.map((x) => x.code) : [];
              if (!codes.includes('not-scanned') || i >= 40) throw err2;
              await sleep(750);
            }
          }
        } catch (err) {
          status = '';
          if (err instanceof ApiError && err.fieldErrors.length) {
            const docErr = err.fieldErrors.find((x) => x.field === 'documentId' || x.field === 'file');
            if (docErr) fileErr = pick(docErr);
            st.serverErrors = err.fieldErrors.filter((x) => x !== docErr);
          } else {
            fileErr = (err instanceof ApiError && err.body && pick(err.body)) || t('error.generic');
          }
          draw();
        }
      });
    };
    draw();
  });
}

// ---------- Fuldmagt ----------

export function proxy() {
  return tabPage(CZ + '/fuldmagt', 'cz.tab.proxy', (ctx, ov, el) => {
    el.innerHTML = String(html`<p class="font-lead">${t('cz.proxy.lead')}</p>
      <p>${t('cz.proxy.text')}</p>
      <h2 class="h3">${t('cz.proxy.attention')}</h2>
      <p>${t('cz.proxy.letters')}</p>
      <p>${t('cz.proxy.post')}</p>
      <p><a href="https://www.borger.dk/internet-og-sikkerhed/digital-fuldmagt" class="function-link" rel="noopener">${t('cz.proxy.link')}</a></p>`);
  });
}

// ---------- receipts ----------

export function receipt(absence, answerId) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('cz.receipt.title'),
    body: html`${helpButton()}<h1 tabindex="-1">${t('cz.receipt.title')}</h1><div id="cz"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#cz');
      const l = lang();
      let a;
      try {
        a = await api('GET', absenceAPI(absence));
      } catch {
        box.innerHTML = String(html`<p>${t('cz.unavailable')}</p>`);
        return;
      }
      const r = a.receipts.find((x) => x.answerId === answerId);
      const u = r ? null : (a.rejectedUploads || []).find((x) => x.documentId === answerId);
      if (u) { box.innerHTML = String(rejectedReceipt(a, u, l)); return; }
      if (!r) { ctx.handle({ notFound: true }); return; }
      const next = a.next ? a.tasks.find((x) => x.id === a.next) : null;
      // An answer sent to the municipality has a receipt letter (notify).
      const pdf = r.letter === 'requested' || r.letter === 'sent';
      let content = [];
      try {
        const d = await api('GET', absenceAPI(absence) + '/receipts/' + encodeURIComponent(answerId));
        content = await answerContent(r.kind, a.personKind, d.answer || {}, l);
      } catch { /* the receipt without its content */ }
      box.innerHTML = String(html`<div class="alert alert-success" id="cz-receipt">${icon('success', 'OK')}
          <div class="alert-body">
            <h2 class="alert-heading">${r.sentToMunicipality ? t('cz.receipt.sent') : t('cz.receipt.saved')}</h2>
            <p class="alert-text">${r.sentToMunicipality ? t('cz.receipt.sentText') : t('cz.receipt.savedText')}</p>
          </div>
        </div>
        ${summaryTable(t('cz.receipt.title'), [
    [t('cz.receipt.what'), pick(r.title)],
    [t('cz.receipt.absence'), absenceName(a)],
    [t('cz.receipt.at'), formatDateTime(r.submittedAt, l)],
    [t('cz.receipt.signed'), r.signed ? t('yes') : t('no')],
    [t('cz.receipt.toMunicipality'), r.sentToMunicipality ? t('yes') : t('no')],
    [t('cz.receipt.by'), r.actedBy === 'proxy' ? t('cz.receipt.proxy') : t('cz.receipt.you')],
    ...(r.documentRefs?.length ? [[t('cz.receipt.documents'), String(r.documentRefs.length)]] : []),
  ], 'receipt-table')}
        ${content.length ? html`<section class="mt-6" id="receipt-content" aria-labelledby="receipt-content-h"><h2 class="h3" id="receipt-content-h">${t('cz.receipt.content')}</h2>
          ${content.map((c, i) => html`${c.title ? html`<h3 class="h4 mt-5">${c.title}</h3>` : ''}${summaryTable(c.title || t('cz.receipt.content'), c.rows, 'receipt-content-' + i)}`)}</section>` : ''}
        ${next ? html`<div class="alert alert-info mt-5" id="next-task">${icon('info', 'Information')}<div class="alert-body">
          <h2 class="alert-heading">${t('cz.receipt.next')}</h2>
          <p class="alert-text">${t('cz.receipt.nextText', { task: pick(next.title) })}</p>
          <p class="mt-4"><a class="button button-primary" href="${taskHref(a.id, next)}" id="next-start">${t('cz.start')}<span class="sr-only"> ${pick(next.title)}</span></a></p>
        </div></div>` : ''}
        <div id="receipt-pdf-error"></div>
        <p class="d-print-none mt-6">
          ${pdf ? html`<button type="button" class="button button-secondary mr-5" id="receipt-pdf">${icon('download')}${t('cz.receipt.pdf')}</button>` : ''}
          <button type="button" class="button button-secondary mr-5" data-action="print">${icon('print')}${t('print')}</button>
          <a href="${CZ}" class="button button-${next ? 'secondary' : 'primary'}" id="to-front">${t('cz.toFront')}</a>
        </p>`);
      // The receipt letter (notify) as PDF; it is written just after the
      // answer is sent, so at first it is not there (404).
      ctx.el.querySelector('#receipt-pdf')?.addEventListener('click', async () => {
        const errBox = ctx.el.querySelector('#receipt-pdf-error');
        errBox.innerHTML = '';
        try {
          await download(`/api/v1/receipts/${encodeURIComponent(answerId)}`, `kvittering-${answerId}.pdf`);
        } catch (e) {
          const notReady = e instanceof ApiError && e.status === 404;
          errBox.innerHTML = String(html`<div class="alert alert-${notReady ? 'info' : 'error'} mt-5" role="alert" id="receipt-pdf-${notReady ? 'not-ready' : 'failed'}">${notReady ? icon('info', 'Information') : icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body"><p class="alert-text">${t(notReady ? 'cz.receipt.pdfNotReady' : 'cz.receipt.pdfFailed')}</p></div></div>`);
        }
      });
    },
  };
}

// ---------- a rejected upload's receipt ----------

/** The receipt of an upload rejected by the virus scan (seeds/003, "Virus-scanning i Mit Sygefravær"). */
function rejectedReceipt(a, u, l) {
  const at = new Date(u.rejectedAt);
  const day = formatDate(at.toISOString().slice(0, 10), l);
  const time = at.toLocaleTimeString(l === 'en' ? 'en-GB' : 'da-DK', { hour: '2-digit', minute: '2-digit' });
  return html`<div class="alert alert-error" id="cz-rejected-receipt">${icon('error', t('error.prefix').replace(':', ''))}
      <div class="alert-body">
        <h2 class="alert-heading">${t('cz.rejectedReceipt.title')}</h2>
        <p class="alert-text">${t('cz.rejectedReceipt.text', { date: day, time })}</p>
        <p class="alert-text mt-3">${t('cz.rejectedReceipt.removed', { title: u.title })}</p>
        <p class="alert-text mt-3">${t('cz.rejectedReceipt.contact')}</p>
      </div>
    </div>
    ${summaryTable(t('cz.receipt.title'), [
    [t('cz.receipt.what'), t('cz.rejectedReceipt.what')],
    [t('cz.receipt.absence'), absenceName(a)],
    [t('cz.rejectedReceipt.at'), formatDateTime(u.rejectedAt, l)],
    [t('cz.rejectedReceipt.document'), u.title],
    [t('cz.rejectedReceipt.why'), u.reason === 'too-large' ? t('cz.rejectedReceipt.tooLarge') : t('cz.rejectedReceipt.virus')],
    [t('cz.receipt.toMunicipality'), t('no')],
  ], 'receipt-table')}
    <p class="d-print-none mt-6">
      <button type="button" class="button button-secondary mr-5" data-action="print">${icon('print')}${t('print')}</button>
      <a href="${CZ}" class="button button-primary" id="to-front">${t('cz.toFront')}</a>
    </p>`;
}

// ---------- DKFDS modals: help and the log-off warning ----------

/** The container of Mit Sygefravær's own modals (a child of body, so DKFDS does not make it inert). */
function modalBox() {
  let box = document.getElementById('cz-modals');
  if (!box) {
    box = document.createElement('div');
    box.className = 'fds-modal-container';
    box.id = 'cz-modals';
    document.body.appendChild(box);
  }
  return box;
}

/** Shows a DKFDS modal from markup (its root has id id) and returns the modal's element. */
function showModal(id, markup) {
  const box = modalBox();
  box.innerHTML = String(markup);
  const el = box.querySelector('#' + id);
  const m = window.DKFDS ? new window.DKFDS.Modal(el) : null;
  m?.init();
  for (const b of el.querySelectorAll('[data-modal-close]')) b.addEventListener('click', () => m?.hide());
  if (m) m.show(); else el.setAttribute('aria-hidden', 'false');
  return el;
}

function closeButton() {
  return html`<button type="button" class="modal-close function-link" data-modal-close>${icon('close')}${t('cz.modal.close')}</button>`;
}

/** The "Hjælp" button at the top right of Mit Sygefravær's pages. */
export function helpButton() {
  return html`<p class="cz-help d-print-none"><button type="button" class="function-link" data-cz-help aria-haspopup="dialog">${icon('help')}${t('cz.help.button')}</button></p>`;
}

/** The help pop-up about personal data (seeds/003, "Orientering om behandling af persondata"). */
export function showHelp() {
  return showModal('cz-help-modal', html`<div class="fds-modal" id="cz-help-modal" aria-hidden="true" role="dialog" aria-modal="true" aria-labelledby="cz-help-heading">
    <div class="modal-content">
      <div class="modal-header"><h2 class="modal-title" id="cz-help-heading">${t('cz.help.title')}</h2>${closeButton()}</div>
      <div class="modal-body">
        <p>${t('cz.help.p1')}</p>
        <p>${t('cz.help.p2')}</p>
        <p>${t('cz.help.p3')}</p>
        <p>${t('cz.help.p4')}</p>
      </div>
      <div class="modal-footer"><button type="button" class="button button-primary" data-modal-close>${t('cz.modal.ok')}</button></div>
    </div>
  </div>`);
}

/** The open tasks with a deadline of the last "Mit forløb" read. */
function pendingTasks(ov) {
  return (ov?.absences || []).flatMap((a) => a.tasks.filter((x) => x.status === 'open' && x.deadline));
}

/** The warning before "Log af" while tasks with a deadline are pending (seeds/003, "Mit forløb"). */
function showLogoutWarning(open) {
  const l = lang();
  const first = [...open].sort((x, y) => (x.deadline < y.deadline ? -1 : 1))[0];
  return showModal('cz-logout-modal', html`<div class="fds-modal" id="cz-logout-modal" aria-hidden="true" role="dialog" aria-modal="true" aria-labelledby="cz-logout-heading">
    <div class="modal-content">
      <div class="modal-header"><h2 class="modal-title" id="cz-logout-heading">${t('cz.logout.title')}</h2>${closeButton()}</div>
      <div class="modal-body">
        <p id="cz-logout-text">${open.length === 1 ? t('cz.logout.one', { date: formatDate(first.deadline, l) }) : t('cz.logout.many', { n: open.length, date: formatDate(first.deadline, l) })}</p>
        <ul>${open.map((x) => html`<li>${pick(x.title)} – ${t('cz.deadline', { date: formatDate(x.deadline, l) })}</li>`)}</ul>
        <p>${t('cz.logout.text')}</p>
      </div>
      <div class="modal-footer">
        <button type="button" class="button button-primary" data-modal-close id="cz-logout-stay">${t('cz.logout.stay')}</button>
        <button type="button" class="button button-secondary" data-action="logout" data-confirmed="1" id="cz-logout-anyway">${t('cz.logout.anyway')}</button>
      </div>
    </div>
  </div>`);
}

// Before main.js's own click handler (this one listens in the capture
// phase): "Hjælp", and "Log af" in Mit Sygefravær while tasks are pending.
document.addEventListener('click', async (e) => {
  if (e.target.closest('[data-cz-help]')) { showHelp(); return; }
  const b = e.target.closest('button[data-action="logout"]');
  if (!b || b.dataset.confirmed || b.closest('#session-modal') || !location.pathname.startsWith(CZ)) return;
  const s = session();
  if (!s || audience(s.claims) !== 'citizen') return;
  e.stopPropagation();
  e.preventDefault();
  let ov;
  try { ov = await overviewData(); } catch { ov = lastOverview; }
  const open = pendingTasks(ov);
  if (open.length) {
    document.getElementById('mobile-drawer')?.querySelector('.js-menu-close')?.click();
    showLogoutWarning(open);
    return;
  }
  b.dataset.confirmed = '1';
  b.click();
  delete b.dataset.confirmed;
}, true);

// ---------- what a receipt's answer said ----------

/** The answer of a receipt as sections of [label, answer] rows, in the words of its page. */
async function answerContent(kind, personKind, body, l) {
  const one = (rows) => (rows.length ? [{ title: '', rows }] : []);
  switch (kind) {
    case 'information-form': return answerSections(body);
    case 'recovery': return one(body.lastAbsenceDay ? [[t('cz.recovery.last'), formatDate(body.lastAbsenceDay, l)]] : []);
    case 'partial-resumption':
      if (body.incapacity) return one([[t('cz.partial.from'), formatDate(body.incapacity.from, l)], [t('cz.partial.percent'), `${body.incapacity.percent} %`]]);
      return one((body.weeks || []).flatMap((w, i) => [
        [t('cz.partial.week', { n: i + 1 }), formatDate(w.weekStart, l)],
        [t('cz.partial.hours', { n: i + 1 }), t('cz.receipt.hoursMinutes', { h: w.hours, m: w.minutes || 0 })],
      ]));
    case 'documentation': return one(body.reason ? [[t('cz.upload.reason'), body.reason]] : []);
    default: {
      const fields = fieldsOf(kind, personKind);
      return fields ? one(summaryRows(fields, fromJSON(fields, body))) : [];
    }
  }
}
