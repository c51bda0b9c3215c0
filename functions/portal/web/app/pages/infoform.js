// The information form (oplysningsskema) of Mit Sygefravær, generated from
// its schema (schemas/citizen.information-form.v1.json: one $defs entry
// per section, in the order of x-sections, Danish title and English
// x-title-en, questions that follow an answer as if/then) and a small hints
// file (app/citizen/information-form.json: the words of the choices, long
// answers, questions shown after an answer the schema leaves optional).
// One section per page; the draft lives in the citizen function:
// "Gem og fortsæt" validates and completes a page, "Gem og gå til
// forsiden" saves it as it is, and the form resumes on the page reached,
// also after a new login. The summary signs and sends it.

import { html, icon, formatDate } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { api, ApiError } from '../api.js';
import { loadSchema, errorSummary, focusId, isVisible } from '../form.js';
import {
  field, clientErrors, serverErrors, fieldMarkup, read, toJSON, fromJSON, summaryRows, summaryTable, state, watchConditions,
} from './czform.js';
import {
  CZ, requireCitizen, absenceAPI, absenceName, needsFreshLogin, resignAlert, rememberReceipt, helpButton,
} from './citizen.js';

const SUMMARY = 'opsummering';
let hintsPromise = null;

function hints() {
  if (!hintsPromise) hintsPromise = fetch('/app/citizen/information-form.json').then((r) => r.json());
  return hintsPromise;
}

function deref(schema, node) {
  if (!node || !node.$ref) return node || {};
  const target = schema.$defs[node.$ref.split('/').pop()] || {};
  const { $ref, ...rest } = node;
  return { ...target, ...rest };
}

function kindOf(node) {
  if (node.format === 'date') return 'date';
  if (Array.isArray(node.enum)) return 'enum';
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  return 'text';
}

function titleOf(node) { return { da: node.title, en: node['x-title-en'] || node.title }; }

/** Questions asked only after an answer: {field: {question: value}} from if/then. */
function conditions(def) {
  const out = {};
  const add = (c) => {
    if (!c?.if?.properties || !c.then?.required) return;
    const cond = Object.fromEntries(Object.entries(c.if.properties).map(([k, p]) => [k, p.const]));
    for (const r of c.then.required) out[r] = cond;
  };
  add(def);
  for (const c of def.allOf || []) add(c);
  return out;
}

/** The field models of one section; counts gives the number of items of each array. */
export function sectionFields(schema, h, section, counts) {
  const def = schema.$defs[section];
  const conds = conditions(def);
  const fields = [];
  for (const [name, rawNode] of Object.entries(def.properties)) {
    const node = deref(schema, rawNode);
    const fh = h.fields[`${section}.${name}`] || {};
    const cond = conds[name];
    const showIf = cond || fh.showIf;
    const required = (def.required || []).includes(name);
    if (node.type === 'array') {
      const item = deref(schema, node.items);
      for (let i = 0; i < (counts[name] || 1); i++) {
        for (const [pn, pr] of Object.entries(item.properties)) {
          const pnode = deref(schema, pr);
          const ph = h.fields[`${section}.${name}.${pn}`] || {};
          const req = (item.required || []).includes(pn);
          const lbl = titleOf(pnode);
          fields.push(field(`${name}.${i}.${pn}`, kindOf(pnode), {
            label: { da: `${lbl.da} (${i + 1})`, en: `${lbl.en} (${i + 1})` }, node: pnode, options: ph.options, multiline: ph.multiline,
            required: req && !showIf, requiredIf: req ? showIf : undefined, showIf, group: { key: `${name}.${i}`, array: name, index: i, title: titleOf(node) },
          }));
        }
      }
    } else if (node.type === 'object') {
      for (const [pn, pr] of Object.entries(node.properties)) {
        const pnode = deref(schema, pr);
        const ph = h.fields[`${section}.${name}.${pn}`] || {};
        fields.push(field(`${name}.${pn}`, kindOf(pnode), {
          label: titleOf(pnode), node: pnode, options: ph.options, width: ph.width, autocomplete: ph.autocomplete, showIf,
          group: { key: name, title: titleOf(node) },
        }));
      }
    } else {
      fields.push(field(name, kindOf(node), {
        label: titleOf(node), node, options: fh.options, multiline: fh.multiline, width: fh.width, autocomplete: fh.autocomplete,
        required: required && !cond, requiredIf: cond, showIf, readOnly: node.readOnly, employer: fh.employer,
      }));
      fields[fields.length - 1].hint.employer = fh.employer;
    }
  }
  return fields;
}

async function load(absence) {
  const [form, schema, h, a] = await Promise.all([
    api('GET', absenceAPI(absence) + '/information-form'), loadSchema('citizen.information-form.v1.json'), hints(), api('GET', absenceAPI(absence)),
  ]);
  return { form, schema, h, a };
}

function stepIndicator(absence, form, current) {
  const steps = form.sections.filter((s) => s.applicable).map((s) => ({ name: s.name, text: pick(s.title), done: s.completed }));
  steps.push({ name: SUMMARY, text: t('cz.summary.title'), done: false });
  const reachable = (i) => steps.slice(0, i).every((s) => s.done);
  return html`<nav aria-label="${t('cz.if.steps')}" class="d-none d-lg-block">
    <ol class="step-indicator">${steps.map((s, i) => {
      const isCurrent = s.name === current;
      const disabled = !isCurrent && !reachable(i);
      const cls = [disabled ? 'disabled' : '', isCurrent ? 'current' : ''].filter(Boolean).join(' ');
      const mark = s.done && !isCurrent ? html`<span class="step-icon">${icon('check', t('step.done', { n: i + 1 }))}</span>` : html`<span class="step-number"><span>${i + 1}</span></span>`;
      const inner = html`${mark}<div><span class="step-title">${s.text}</span></div>`;
      return html`<li${cls ? html` class="${cls}"` : ''}>${disabled ? html`<div class="step">${inner}</div>`
        : html`<a class="step" href="${CZ}/${absence}/oplysningsskema/${s.name}"${isCurrent ? html` aria-current="step"` : ''}>${inner}</a>`}</li>`;
    })}</ol>
  </nav>`;
}

function layout(absence, form, current, content) {
  return html`<div class="row">
    <div class="col-12 col-lg-4 col-xl-3">${stepIndicator(absence, form, current)}</div>
    <div class="col-12 col-lg-8 col-xl-9">${content}</div>
  </div>`;
}

function blocked(form) {
  if (form.status && form.status !== 'open') return t('cz.blocked.answered');
  if (form.blockedBy === 'legal-text-not-acknowledged') return t('cz.blocked.legal');
  if (form.blockedBy === 'earlier-task-open') return t('cz.blocked.order');
  if (form.blockedBy === 'already-answered') return t('cz.blocked.answered');
  return '';
}

function pageOf(form) { return form.page === 'summary' ? SUMMARY : form.page; }

/** The introduction and the way to the page to resume on. */
export function start(absence) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('cz.if.title'),
    body: html`${helpButton()}<div id="if"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#if');
      let d;
      try { d = await load(absence); } catch { ctx.handle({ notFound: true }); return; }
      const { form, h, a } = d;
      const why = blocked(form);
      const started = form.sections.some((s) => s.answers);
      box.innerHTML = String(html`<a href="${CZ}" class="back-link">${icon('chevron-left')}${t('cz.toFront')}</a>
        <h1 tabindex="-1">${t('cz.if.title')}</h1>
        <p>${absenceName(a)} · ${t('cz.deadline', { date: formatDate(form.deadline, lang()) })}</p>
        ${why ? html`<div class="alert alert-warning" role="alert"><div class="alert-body"><p class="alert-text">${why}</p></div></div>` : html`
        <p class="font-lead">${pick(h.intro)}</p>
        <h2 class="h3">${t('cz.if.topics')}</h2>
        <ol>${form.sections.filter((s) => s.applicable).map((s) => html`<li>${pick(s.title)}${s.completed ? html` <span class="form-hint">(${t('cz.if.done')})</span>` : ''}</li>`)}</ol>
        ${started ? html`<div class="alert alert-info" id="draft-note">${icon('info', 'Information')}<div class="alert-body"><p class="alert-text">${t('cz.if.draft')}</p></div></div>` : ''}
        <p class="mt-5"><a class="button button-primary" id="if-start" href="${CZ}/${absence}/oplysningsskema/${pageOf(form)}">${started ? t('cz.if.continue') : t('cz.start')}</a></p>`}`);
      ctx.focusHeading();
    },
  };
}

function readOnlyMarkup(f, prefill) {
  const v = prefill?.[f.path];
  return html`<div class="form-group"><p class="form-label" id="${f.id}-label">${pick(f.hint.label)}</p>
    <p id="${f.id}" aria-describedby="${f.id}-label"><strong>${v ? formatDate(v, lang()) : ''}</strong></p>
    <p class="form-hint">${t('cz.if.filledIn')}</p></div>`;
}

function employerAnswer(f, prefill) {
  if (!f.hint.employer) return f;
  const r = prefill?.retention;
  const text = r ? (r[f.hint.employer] ? t('yes') : t('no')) : null;
  return {
    ...f,
    // Without the employer's answer, the person answers the question.
    required: f.required || !r,
    hint: {
      ...f.hint,
      hint: r ? { da: t('cz.if.employerSaid', { answer: text }), en: t('cz.if.employerSaid', { answer: text }) }
        : { da: t('cz.if.employerNone'), en: t('cz.if.employerNone') },
    },
  };
}

function sectionMarkup(fields, answers, errs, prefill, counts) {
  const out = [];
  for (let i = 0; i < fields.length;) {
    const f = fields[i];
    const g = f.hint.group;
    if (!g) {
      out.push(f.hint.readOnly ? readOnlyMarkup(f, prefill) : fieldMarkup(f, answers, errs));
      i++;
      continue;
    }
    const group = [];
    while (i < fields.length && fields[i].hint.group?.key === g.key) group.push(fields[i++]);
    if (!group.some((x) => isVisible(x, answers))) continue;
    const n = g.array ? counts[g.array] || 1 : 0;
    out.push(html`<fieldset class="mt-5 mb-5">
      <legend class="h4">${pick(g.title)}${g.array ? ` ${g.index + 1}` : ''}</legend>
      ${group.map((x) => fieldMarkup(x, answers, errs))}
      ${g.array && n > 1 ? html`<button type="button" class="button button-tertiary" data-remove="${g.array}" data-index="${g.index}">${t('cz.if.remove')}<span class="sr-only"> ${pick(g.title)} ${g.index + 1}</span></button>` : ''}
    </fieldset>`);
    if (g.array && g.index === n - 1) out.push(html`<p><button type="button" class="button button-secondary" data-add="${g.array}">${t('cz.if.add')}</button></p>`);
  }
  return out;
}

/** One section of the form. */
export function section(absence, name) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('cz.if.title'),
    body: html`${helpButton()}<div id="if"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#if');
      let d;
      try { d = await load(absence); } catch { ctx.handle({ notFound: true }); return; }
      const { form, schema, h } = d;
      if (blocked(form)) { ctx.go(`${CZ}/${absence}/oplysningsskema`, true); return; }
      const sec = form.sections.find((s) => s.name === name);
      const applicable = form.sections.filter((s) => s.applicable);
      const idx = applicable.findIndex((s) => s.name === name);
      const reached = idx >= 0 && applicable.slice(0, idx).every((s) => s.completed);
      if (!sec || !reached) { ctx.go(`${CZ}/${absence}/oplysningsskema/${pageOf(form)}`, true); return; }
      const st = state(`if.${absence}.${name}`, () => {
        const counts = {};
        for (const [k, v] of Object.entries(sec.answers || {})) if (Array.isArray(v)) counts[k] = Math.max(1, v.length);
        return { answers: fromJSON(sectionFields(schema, h, name, counts), sec.answers || {}), counts, shown: false, serverErrors: [] };
      });
      let alertMarkup = '';
      const fieldsNow = () => sectionFields(schema, h, name, st.counts).map((f) => employerAnswer(f, sec.prefill));
      const draw = () => {
        const fields = fieldsNow();
        const errs = [...(st.shown ? clientErrors(fields, st.answers) : []), ...serverErrors(fields, st.serverErrors)];
        const prev = idx > 0 ? applicable[idx - 1].name : null;
        ctx.setTitle(pick(sec.title) + ' – ' + t('cz.if.title'));
        box.innerHTML = String(layout(absence, form, name, html`
          <a href="${prev ? `${CZ}/${absence}/oplysningsskema/${prev}` : `${CZ}/${absence}/oplysningsskema`}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          <p class="step-subheading mt-5">${t('step.of', { n: idx + 1, total: applicable.length + 1 })}</p>
          <h1 tabindex="-1"><span class="sr-only">${t('cz.if.title')}: </span>${pick(sec.title)}</h1>
          ${errorSummary(errs.map((e) => ({ text: e.msg, href: e.f ? '#' + focusId(e.f) : null })))}
          ${alertMarkup}
          <form id="section-form" novalidate>
            ${sectionMarkup(fields, st.answers, errs, sec.prefill, st.counts)}
            <div class="mt-7">
              <button type="submit" class="button button-primary" id="next">${t('cz.saveContinue')}</button>
              <button type="button" class="button button-secondary ml-md-5 mt-4 mt-md-0" id="save-draft">${t('cz.if.saveDraft')}</button>
            </div>
          </form>`));
        if (errs.length && (st.shown || st.serverErrors.length)) ctx.errorSummary(); else if (!alertMarkup) ctx.focusHeading();
        const el = box.querySelector('#section-form');
        watchConditions(el, fields, st.answers, () => { st.save(); draw(); });
        for (const b of el.querySelectorAll('[data-add],[data-remove]')) {
          b.addEventListener('click', () => {
            read(el, fields, st.answers);
            const arr = b.dataset.add || b.dataset.remove;
            const n = st.counts[arr] || 1;
            if (b.dataset.add) {
              st.counts[arr] = Math.min(n + 1, 10);
            } else {
              // Move the later items up over the removed one.
              const i = Number(b.dataset.index);
              const prefix = (k) => `${arr}.${k}.`;
              for (let k = i; k < n - 1; k++) {
                for (const key of Object.keys(st.answers)) {
                  if (key.startsWith(prefix(k + 1))) st.answers[prefix(k) + key.slice(prefix(k + 1).length)] = st.answers[key];
                }
              }
              for (const key of Object.keys(st.answers)) if (key.startsWith(prefix(n - 1))) delete st.answers[key];
              st.counts[arr] = Math.max(1, n - 1);
            }
            st.save();
            draw();
            const first = fieldsNow().find((f) => f.hint.group?.array === arr && f.hint.group.index === st.counts[arr] - 1);
            ((b.dataset.add && first && document.getElementById(focusId(first))) || box.querySelector('[data-add]'))?.focus();
          });
        }
        const save = async (next) => {
          read(el, fields, st.answers);
          st.serverErrors = [];
          alertMarkup = '';
          if (next) {
            st.shown = true;
            if (clientErrors(fields, st.answers).length) { st.save(); draw(); return; }
          }
          st.save();
          try {
            const out = await api('PUT', `${absenceAPI(absence)}/information-form/sections/${name}`, { answers: toJSON(fields, st.answers), next });
            st.clear();
            ctx.go(next ? `${CZ}/${absence}/oplysningsskema/${pageOf(out)}` : `${CZ}?kladde=1`);
          } catch (e) {
            if (e instanceof ApiError && e.status === 400 && e.fieldErrors.length) {
              st.serverErrors = e.fieldErrors;
              st.save();
            } else {
              alertMarkup = html`<div class="alert alert-error" role="alert" tabindex="-1" id="save-error"><div class="alert-body"><p class="alert-text">${(e instanceof ApiError && e.body && pick(e.body)) || t('error.generic')}</p></div></div>`;
            }
            draw();
            document.getElementById('save-error')?.focus();
          }
        };
        el.addEventListener('submit', (e) => { e.preventDefault(); save(true); });
        box.querySelector('#save-draft').addEventListener('click', () => save(false));
      };
      draw();
    },
  };
}

/** The summary of every page, signed and sent. */
export function summary(absence, query) {
  const need = requireCitizen();
  if (need) return need;
  return {
    title: t('cz.summary.title'),
    body: html`${helpButton()}<div id="if"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#if');
      let d;
      try { d = await load(absence); } catch { ctx.handle({ notFound: true }); return; }
      const { form, schema, h } = d;
      if (blocked(form)) { ctx.go(`${CZ}/${absence}/oplysningsskema`, true); return; }
      if (pageOf(form) !== SUMMARY) { ctx.go(`${CZ}/${absence}/oplysningsskema/${pageOf(form)}`, true); return; }
      const applicable = form.sections.filter((s) => s.applicable);
      let alertMarkup = '';
      const draw = () => {
        ctx.setTitle(t('cz.summary.title') + ' – ' + t('cz.if.title'));
        box.innerHTML = String(layout(absence, form, SUMMARY, html`
          <a href="${CZ}/${absence}/oplysningsskema/${applicable[applicable.length - 1].name}" class="back-link">${icon('chevron-left')}${t('back')}</a>
          <p class="step-subheading mt-5">${t('step.of', { n: applicable.length + 1, total: applicable.length + 1 })}</p>
          <h1 tabindex="-1"><span class="sr-only">${t('cz.if.title')}: </span>${t('cz.summary.title')}</h1>
          ${alertMarkup}
          <p>${t('cz.if.summaryLead')}</p>
          ${applicable.map((s) => {
    const counts = {};
    for (const [k, v] of Object.entries(s.answers || {})) if (Array.isArray(v)) counts[k] = Math.max(1, v.length);
    const fields = sectionFields(schema, h, s.name, counts);
    const answers = fromJSON(fields, s.answers || {});
    const rows = summaryRows(fields, answers);
    if (s.prefill?.targetDate) rows.unshift([pick(fields.find((f) => f.hint.readOnly)?.hint.label), formatDate(s.prefill.targetDate, lang())]);
    return html`<h2 class="h3">${pick(s.title)}</h2>
            ${summaryTable(pick(s.title), rows)}
            <p><a href="${CZ}/${absence}/oplysningsskema/${s.name}">${t('check.edit')}<span class="sr-only"> ${pick(s.title)}</span></a></p>`;
  })}
          <p class="mt-6">${t('cz.summary.signed')}</p>
          <button type="button" class="button button-primary" id="cz-send">${t('cz.signSend')}</button>`));
        if (!alertMarkup) ctx.focusHeading();
        box.querySelector('#cz-send').addEventListener('click', send);
      };
      const send = async () => {
        const back = `${CZ}/${absence}/oplysningsskema/${SUMMARY}?send=1`;
        if (await needsFreshLogin(ctx)) {
          alertMarkup = resignAlert(back);
          draw();
          document.getElementById('resign')?.focus();
          return;
        }
        box.querySelector('#cz-send').disabled = true;
        try {
          const out = await api('POST', `${absenceAPI(absence)}/information-form/submit`, {});
          rememberReceipt(absence, out);
          ctx.go(`${CZ}/kvittering/${absence}/${out.receipt.answerId}`);
        } catch (e) {
          alertMarkup = e instanceof ApiError && e.needsFreshLogin ? resignAlert(back)
            : html`<div class="alert alert-error" role="alert" tabindex="-1" id="send-error"><div class="alert-body"><p class="alert-text">${(e instanceof ApiError && e.fieldErrors.length ? e.fieldErrors.map((x) => pick(x)).join(' ') : (e instanceof ApiError && e.body && pick(e.body))) || t('error.generic')}</p></div></div>`;
          draw();
          (document.getElementById('resign') || document.getElementById('send-error'))?.focus();
        }
      };
      draw();
      if (query.has('send')) {
        history.replaceState(null, '', `${CZ}/${absence}/oplysningsskema/${SUMMARY}`);
        send();
      }
    },
  };
}

/**
 * The sent information form as sections of [label, answer] rows, in the
 * form's order with its words (the receipt shows what was sent).
 */
export async function answerSections(body) {
  const [schema, h] = await Promise.all([loadSchema('citizen.information-form.v1.json'), hints()]);
  return (schema['x-sections'] || []).filter((n) => body?.[n] && typeof body[n] === 'object').map((n) => {
    const ans = body[n];
    const counts = {};
    for (const [k, v] of Object.entries(ans)) if (Array.isArray(v)) counts[k] = Math.max(1, v.length);
    const fields = sectionFields(schema, h, n, counts);
    return { title: pick(titleOf(schema.$defs[n] || {})), rows: summaryRows(fields, fromJSON(fields, ans)) };
  });
}
