// Forms of Mit Sygefravær: field models for form.js from short specs or a
// JSON Schema section, questions shown only when an earlier answer asks
// for them (redrawn as the person answers), the answers as JSON and back,
// and the page state kept in the tab through a change of language.

import { html, raw } from '../dom.js';
import { t, pick } from '../i18n.js';
import { renderField, readAnswers, validate, isVisible, label, value, display } from '../form.js';

/** A field model for form.js. spec: {label, hint, options, multiline, showIf, requiredIf, required, node, width, autocomplete}. */
export function field(path, kind, spec) {
  const s = spec || {};
  return {
    path, id: 'f-' + path.replace(/\./g, '-'), kind, node: s.node || {}, required: Boolean(s.required), page: 0,
    hint: {
      label: s.label, hint: s.hint, options: s.options, multiline: s.multiline, showIf: s.showIf, requiredIf: s.requiredIf,
      width: s.width, autocomplete: s.autocomplete, readOnly: s.readOnly, group: s.group,
    },
  };
}

/** The fields shown given the answers. */
export function visible(fields, answers) { return fields.filter((f) => isVisible(f, answers)); }

/** Client-side errors of the shown fields, as [{f, msg}]. */
export function clientErrors(fields, answers) {
  return visible(fields, answers).filter((f) => !f.hint.readOnly).map((f) => ({ f, msg: validate(f, answers) })).filter((e) => e.msg);
}

/** Server field errors ([{field, da, en}]) as [{f, msg}] (f null when no field matches). */
export function serverErrors(fields, errs) {
  return (errs || []).map((e) => {
    const f = fields.find((x) => x.path === e.field) || null;
    return { f, msg: f ? t('v.server', { label: label(f), message: pick(e) }) : pick(e) };
  });
}

/** Markup of one shown field, with its error. */
export function fieldMarkup(f, answers, errs) {
  if (!isVisible(f, answers)) return '';
  return renderField(f, answers, errs.find((e) => e.f === f)?.msg);
}

/** Reads the shown fields of form into answers (hidden ones become empty). */
export function read(form, fields, answers) {
  readAnswers(form, fields, answers);
  for (const f of fields) if (!isVisible(f, answers)) delete answers[f.path];
  return answers;
}

/** The answers as JSON: only shown, answered fields, nested by path (numeric parts make arrays). */
export function toJSON(fields, answers) {
  const out = {};
  for (const f of fields) {
    if (f.hint.readOnly || !isVisible(f, answers)) continue;
    let v = value(f, answers);
    if (v === undefined || Number.isNaN(v)) {
      // A draft keeps what was typed, even when it is not valid yet.
      const a = answers[f.path];
      if (f.kind === 'text' && a) v = String(a);
      else continue;
    }
    const parts = f.path.split('.');
    let o = out;
    parts.slice(0, -1).forEach((p, i) => {
      const nextIsIndex = /^\d+$/.test(parts[i + 1]);
      if (o[p] === undefined) o[p] = nextIsIndex ? [] : {};
      o = o[p];
    });
    o[parts[parts.length - 1]] = v;
  }
  for (const k of Object.keys(out)) if (Array.isArray(out[k])) out[k] = out[k].filter((x) => x !== undefined);
  return out;
}

/** The answers map of the fields from JSON (dates as {d, m, y}, booleans as "true"/"false"). */
export function fromJSON(fields, obj) {
  const answers = {};
  for (const f of fields) {
    let v = obj;
    for (const p of f.path.split('.')) v = v == null ? undefined : v[p];
    if (v === undefined || v === null) continue;
    if (f.kind === 'date') {
      const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(String(v));
      answers[f.path] = m ? { d: String(Number(m[3])), m: String(Number(m[2])), y: m[1] } : { d: '', m: '', y: '' };
    } else if (f.kind === 'boolean') {
      answers[f.path] = String(Boolean(v));
    } else {
      answers[f.path] = String(v);
    }
  }
  return answers;
}

/** The answers as a list of [label, shown answer] for a summary. */
export function summaryRows(fields, answers) {
  return visible(fields, answers).filter((f) => !f.hint.readOnly && display(f, answers) !== '')
    .map((f) => [label(f), display(f, answers)]);
}

/** A summary table of rows [[label, value]]. */
export function summaryTable(caption, rows, id) {
  return html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${caption}">
    <table class="table structured-list"${id ? raw(` id="${id}"`) : ''}><tbody>
      ${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}
    </tbody></table></div>`;
}

/** Page state kept in this tab (answers, errors shown) through a redraw. */
export function state(key, init) {
  const k = 'nr.cz.' + key;
  const s = JSON.parse(sessionStorage.getItem(k) || 'null') || init();
  s.save = () => sessionStorage.setItem(k, JSON.stringify({ ...s, save: undefined, clear: undefined }));
  s.clear = () => sessionStorage.removeItem(k);
  return s;
}

/**
 * Redraws when a question that others depend on is answered: listens on
 * the form for changes of those radio buttons, reads the answers and calls
 * redraw, then gives focus back to the radio button changed.
 */
export function watchConditions(form, fields, answers, redraw) {
  const controlling = new Set(fields.flatMap((f) => Object.keys(f.hint.showIf || {})));
  form.addEventListener('change', (e) => {
    const el = e.target;
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !controlling.has(el.name)) return;
    read(form, fields, answers);
    const id = el.id;
    redraw();
    document.getElementById(id)?.focus();
  });
}
