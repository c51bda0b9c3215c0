// The tasks of Mit Sygefravær other than the information form: comment on
// the sender's report (agree, or disagree with a comment and sign), the
// application for sygedagpenge, and the municipality's tasks (hearing,
// supplementary information, consent on moving). Each is a page of
// questions, a summary ("Opsummering") and the signed sending.

import { html, icon, formatDate } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { errorSummary } from '../form.js';
import {
  field, clientErrors, serverErrors, fieldMarkup, read, toJSON, summaryRows, summaryTable, state, watchConditions,
} from './czform.js';
import {
  CZ, requireCitizen, absenceAPI, senderName, absenceName, needsFreshLogin, resignAlert, rememberReceipt, helpButton,
} from './citizen.js';
import { blankets } from './sender.js';

const L = (key) => ({ da: t(key), en: t(key) });

/** The questions of a task kind for a kind of person. */
export function fieldsOf(kind, personKind) {
  const yes = (path, key, showIf) => field(path, 'boolean', { label: L(key), required: !showIf, showIf, requiredIf: showIf });
  switch (kind) {
    case 'comment':
      return [
        yes('agree', 'cz.comment.agree'),
        field('comment', 'text', { label: L('cz.comment.why'), multiline: true, node: { maxLength: 2000 }, showIf: { agree: false }, requiredIf: { agree: false } }),
      ];
    case 'sygedagpenge-application': {
      const f = [
        yes('apply', 'cz.app.apply'),
        yes('otherIncome', 'cz.app.otherIncome', { apply: true }),
        field('otherIncomeDescription', 'text', { label: L('cz.app.otherIncomeDescription'), multiline: true, node: { maxLength: 2000 }, showIf: { apply: true, otherIncome: true }, requiredIf: { apply: true, otherIncome: true } }),
        yes('holidayDuringAbsence', 'cz.app.holiday', { apply: true }),
      ];
      if (personKind === 'self-employed') f.push(yes('businessRunning', 'cz.app.businessRunning', { apply: true }));
      else if (personKind === 'unemployed-member') f.push(yes('availableBeforeSickness', 'cz.app.available', { apply: true }));
      else f.push(yes('employmentEnded', 'cz.app.employmentEnded', { apply: true }));
      return f;
    }
    case 'hearing':
      return [field('explanation', 'text', { label: L('cz.hearing.explanation'), multiline: true, required: true, node: { minLength: 1, maxLength: 4000 } })];
    case 'supplementary-information':
      return [field('comment', 'text', { label: L('cz.supplementary.comment'), multiline: true, required: true, node: { minLength: 1, maxLength: 4000 } })];
    case 'moving-consent':
      return [yes('consent', 'cz.moving.consent')];
    default:
      return null;
  }
}

/** Whether the answer is signed (agreeing with the report is not). */
function signed(kind, data) { return !(kind === 'comment' && data.agree === true); }

// The sender's report as the person reads it, labelled with the words of
// the employer's blanket.
const SKIP = new Set(['cpr', 'cvr', 'pNumber']);

function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj || {})) {
    const p = prefix ? prefix + '.' + k : k;
    if (SKIP.has(p)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, p, out);
    else if (!Array.isArray(v)) out.push([p, v]);
  }
  return out;
}

function shownValue(f, v, l) {
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return formatDate(v, l);
  const n = typeof v === 'number' ? v.toLocaleString(l === 'en' ? 'en-GB' : 'da-DK', { maximumFractionDigits: 2, minimumFractionDigits: Number.isInteger(v) ? 0 : 2 }) : String(v);
  return f?.suffix ? `${n} ${pick(f.suffix)}` : n;
}

/**
 * The report in the order and wording of the employer's blanket: one
 * section per page of the form (its title), each answer with the form's
 * label and unit; answers the form does not ask come last.
 */
async function reportSections(report) {
  const hints = (await blankets()).find((b) => b.name === 'employer');
  const l = lang();
  const values = new Map(flatten(report, '', []));
  const sections = [];
  for (const pg of hints?.pages || []) {
    const rows = pg.fields.filter((p) => !SKIP.has(p) && values.has(p)).map((p) => [pick(hints.fields[p]?.label) || p, shownValue(hints.fields[p], values.get(p), l)]);
    pg.fields.forEach((p) => values.delete(p));
    if (rows.length) sections.push({ title: pick(pg.title), rows });
  }
  const rest = [...values].map(([p, v]) => [pick(hints?.fields?.[p]?.label) || p, shownValue(hints?.fields?.[p], v, l)]);
  if (rest.length) sections.push({ title: t('cz.comment.other'), rows: rest });
  return sections;
}

function setup(absence, task) {
  return { key: `task.${absence}.${task}`, api: `${absenceAPI(absence)}/tasks/${encodeURIComponent(task)}` };
}

function blockedMessage(d) {
  switch (d.blockedBy) {
    case 'legal-text-not-acknowledged': return t('cz.blocked.legal');
    case 'earlier-task-open': return t('cz.blocked.order');
    case 'already-answered': return t('cz.blocked.answered');
    default: return '';
  }
}

/** The task's page of questions. */
export function task(absence, taskID) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('citizen.title'),
    body: html`${helpButton()}<div id="task"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#task');
      const s = setup(absence, taskID);
      let d;
      let a;
      try {
        [d, a] = await Promise.all([api('GET', s.api), api('GET', absenceAPI(absence))]);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) { ctx.handle({ notFound: true }); return; }
        box.innerHTML = String(html`<h1 tabindex="-1">${t('citizen.title')}</h1><p>${t('cz.unavailable')}</p>`);
        return;
      }
      const fields = fieldsOf(d.kind, d.personKind);
      if (!fields) { ctx.handle({ notFound: true }); return; }
      const st = state(s.key, () => ({ answers: {}, shown: false, serverErrors: [] }));
      const sections = d.kind === 'comment' && d.report ? await reportSections(d.report) : [];
      const blocked = blockedMessage(d);
      const seq = a.tasks.filter((x) => ['comment', 'sygedagpenge-application', 'information-form'].includes(x.kind));
      const pos = seq.findIndex((x) => x.id === d.id);
      const draw = () => {
        const errs = [...(st.shown ? clientErrors(fields, st.answers) : []), ...serverErrors(fields, st.serverErrors)];
        ctx.setTitle(pick(d.title));
        box.innerHTML = String(html`<a href="${CZ}" class="back-link">${icon('chevron-left')}${t('cz.toFront')}</a>
          ${pos >= 0 ? html`<p class="step-subheading mt-5">${t('cz.taskOf', { n: pos + 1, total: seq.length })}</p>` : ''}
          <h1 tabindex="-1">${pick(d.title)}</h1>
          <p>${absenceName(a)} · ${t('cz.deadline', { date: formatDate(d.deadline, lang()) })}</p>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: e.f ? '#' + (e.f.kind === 'boolean' ? e.f.id + '-option1' : e.f.id) : null })))}
          ${blocked ? html`<div class="alert alert-warning" role="alert"><div class="alert-body"><p class="alert-text">${blocked}</p></div></div>
            <p><a href="${CZ}" class="button button-primary">${t('cz.toFront')}</a></p>` : html`
          ${sections.length ? html`<h2 class="h3">${t('cz.comment.report', { sender: senderName(a) })}</h2>
            <p>${t('cz.comment.lead')}</p>
            <div id="report" class="cz-report">${sections.map((x, i) => html`<h3 class="h4 mt-5" id="report-h-${i}">${x.title}</h3>${summaryTable(x.title, x.rows, 'report-' + i)}`)}</div>` : ''}
          ${d.kind === 'sygedagpenge-application' ? html`<p>${t('cz.app.lead')}</p>` : ''}
          <form id="task-form" novalidate>
            ${fields.map((f) => fieldMarkup(f, st.answers, errs))}
            <button type="submit" class="button button-primary mt-5" id="next">${t('cz.saveContinue')}</button>
          </form>`}`);
        if (errs.length) ctx.errorSummary(); else ctx.focusHeading();
        const form = box.querySelector('#task-form');
        if (!form) return;
        watchConditions(form, fields, st.answers, () => { st.save(); draw(); });
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          read(form, fields, st.answers);
          st.shown = true;
          st.serverErrors = [];
          st.save();
          if (clientErrors(fields, st.answers).length) { draw(); return; }
          ctx.go(`${CZ}/${absence}/opgave/${taskID}/opsummering`);
        });
      };
      draw();
    },
  };
}

/** The summary of the answer and its sending (signed unless agreeing). */
export function summary(absence, taskID, query) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('cz.summary.title'),
    body: html`${helpButton()}<div id="task"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#task');
      const s = setup(absence, taskID);
      let d;
      try {
        d = await api('GET', s.api);
      } catch {
        ctx.handle({ notFound: true });
        return;
      }
      const fields = fieldsOf(d.kind, d.personKind);
      const st = state(s.key, () => ({ answers: {}, shown: false, serverErrors: [] }));
      if (!fields || clientErrors(fields, st.answers).length) { ctx.go(`${CZ}/${absence}/opgave/${taskID}`, true); return; }
      const data = toJSON(fields, st.answers);
      const sign = signed(d.kind, data);
      let alert = '';
      const draw = () => {
        ctx.setTitle(t('cz.summary.title') + ' – ' + pick(d.title));
        box.innerHTML = String(html`<a href="${CZ}/${absence}/opgave/${taskID}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          <h1 tabindex="-1">${t('cz.summary.title')}</h1>
          <p class="font-lead">${pick(d.title)}</p>
          ${alert}
          ${summaryTable(t('cz.summary.title'), summaryRows(fields, st.answers), 'answer-summary')}
          <p><a href="${CZ}/${absence}/opgave/${taskID}">${t('cz.summary.change')}</a></p>
          <p class="mt-6">${sign ? t('cz.summary.signed') : t('cz.summary.notSigned')}</p>
          <button type="button" class="button button-primary" id="cz-send">${sign ? t('cz.signSend') : t('cz.send')}</button>`);
        if (!alert) ctx.focusHeading();
        box.querySelector('#cz-send').addEventListener('click', send);
      };
      const send = async () => {
        if (sign && await needsFreshLogin(ctx)) {
          alert = resignAlert(`${CZ}/${absence}/opgave/${taskID}/opsummering?send=1`);
          draw();
          document.getElementById('resign')?.focus();
          return;
        }
        box.querySelector('#cz-send').disabled = true;
        try {
          const out = await api('POST', s.api + '/answer', data);
          st.clear();
          rememberReceipt(absence, out);
          ctx.go(`${CZ}/kvittering/${absence}/${out.receipt.answerId}`);
        } catch (e) {
          if (e instanceof ApiError && e.needsFreshLogin) {
            alert = resignAlert(`${CZ}/${absence}/opgave/${taskID}/opsummering?send=1`);
          } else if (e instanceof ApiError && e.status === 400 && e.fieldErrors.length) {
            st.serverErrors = e.fieldErrors;
            st.save();
            ctx.go(`${CZ}/${absence}/opgave/${taskID}`);
            return;
          } else {
            alert = html`<div class="alert alert-error" role="alert" tabindex="-1" id="send-error"><div class="alert-body"><p class="alert-text">${(e instanceof ApiError && e.body && pick(e.body)) || t('error.generic')}</p></div></div>`;
          }
          draw();
          (document.getElementById('resign') || document.getElementById('send-error'))?.focus();
        }
      };
      draw();
      if (query.has('send')) {
        history.replaceState(null, '', `${CZ}/${absence}/opgave/${taskID}/opsummering`);
        send();
      }
    },
  };
}
