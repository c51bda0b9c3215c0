// Forms generated from the JSON Schemas the backend validates with
// (served under /schemas/) and a small hints file per blanket
// (app/blankets/<name>.json: pages of question groups, labels and help in
// Danish and English). The schema decides types, which answers are
// required and every limit; the hints decide order, grouping and words.

import { html, raw, formatDate } from './dom.js';
import { t, tn, pick, lang } from './i18n.js';

const schemaCache = new Map();

/** Loads /schemas/<file> once. */
export function loadSchema(file) {
  if (!schemaCache.has(file)) {
    schemaCache.set(file, fetch('/schemas/' + file).then((r) => {
      if (!r.ok) throw new Error('schema ' + file + ' ' + r.status);
      return r.json();
    }));
  }
  return schemaCache.get(file);
}

/** Resolves a dotted path in the schema: the leaf and whether it is required from the root. */
export function resolve(schema, path) {
  let node = schema;
  let required = true;
  for (const part of path.split('.')) {
    if (!node || !node.properties || !node.properties[part]) return null;
    required = required && Array.isArray(node.required) && node.required.includes(part);
    node = node.properties[part];
  }
  return { node, required };
}

function kindOf(node) {
  if (node.type === 'array' && node.items?.type === 'object') return 'array';
  if (node.format === 'date') return 'date';
  if (Array.isArray(node.enum)) return 'enum';
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'integer') return 'integer';
  if (node.type === 'number') return 'number';
  return 'text';
}

/** The field model of a blanket: one entry per asked path, in page order. */
export function buildFields(schema, hints) {
  const fields = [];
  hints.pages.forEach((page, pageIndex) => {
    for (const path of page.fields) {
      const r = resolve(schema, path);
      if (!r) throw new Error('hints name a field the schema does not have: ' + path);
      const h = hints.fields?.[path] || {};
      const f = {
        path, page: pageIndex, id: 'f-' + path.replace(/\./g, '-'), node: r.node, kind: kindOf(r.node),
        required: r.required, hint: h,
      };
      if (f.kind === 'array') {
        // The questions of one row: the item's properties (hint.items names and orders them).
        const props = r.node.items.properties || {};
        f.items = (h.items || Object.keys(props)).map((name) => {
          if (!props[name]) throw new Error('hints name a field the schema does not have: ' + path + '.' + name);
          return { name, node: props[name], kind: kindOf(props[name]), required: (r.node.items.required || []).includes(name), hint: hints.fields?.[path + '.' + name] || {} };
        });
      }
      fields.push(f);
    }
  });
  return fields;
}

// ---------- lists of rows (an array of objects, e.g. leave periods) ----------
//
// An array field keeps its number of rows as its answer ("2"); each row's
// questions are fields of their own at "<path>.<row>.<name>"
// ("periods.0.from"), so validation, rendering and the server's field
// errors work on them as on any field. expand() lists them.

/** The number of rows of an array field (at least one when not yet answered, and never below minItems). */
export function rowCount(f, answers) {
  const n = Number.parseInt(answers[f.path], 10);
  return Number.isInteger(n) && n >= 0 ? n : Math.max(f.node.minItems || 0, 1);
}

/** The fields of row i of array field f; rules and conditions naming a sibling ("from") name the same row's answer. */
export function rowFields(f, i) {
  const base = `${f.path}.${i}`;
  const local = (p) => (typeof p === 'string' && f.items.some((s) => s.name === p) ? `${base}.${p}` : p);
  const localKeys = (o) => (o ? Object.fromEntries(Object.entries(o).map(([k, v]) => [local(k), v])) : o);
  return f.items.map((s) => ({
    path: `${base}.${s.name}`, page: f.page, id: `${f.id}-${i}-${s.name}`, node: s.node, kind: s.kind, required: s.required, row: i, parent: f,
    hint: {
      ...s.hint, showIf: localKeys(s.hint.showIf), requiredIf: localKeys(s.hint.requiredIf),
      rules: (s.hint.rules || []).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'path' || RULE_OPS.includes(k) ? local(v) : v]))),
    },
  }));
}

/** The fields with each array field followed by the fields of its rows (idempotent). */
export function expand(fields, answers) {
  const out = [];
  for (const f of fields) {
    if (f.kind !== 'array' || f.expanded) { out.push(f); continue; }
    out.push({ ...f, expanded: true });
    for (let i = 0; i < rowCount(f, answers); i++) out.push(...rowFields(f, i));
  }
  return out;
}

/** The field a (server's) error at path is about: the field itself, else the first question of the row or list it names. */
export function fieldOf(fields, answers, path) {
  const all = expand(fields, answers);
  return all.find((x) => x.path === path) || all.find((x) => x.path.startsWith(path + '.')) || null;
}

/**
 * A click on a row button (add or remove a row) of the form: changes the
 * rows in answers (a removed row's answers move up) and returns the id to
 * focus, or null when the click was no row button.
 */
export function rowAction(button, fields, answers) {
  const m = button?.name === 'row-action' ? /^(add|remove):([^:]+)(?::(\d+))?$/.exec(button.value) : null;
  const f = m && fields.find((x) => x.path === m[2] && x.kind === 'array');
  if (!f) return null;
  const n = rowCount(f, answers);
  if (m[1] === 'add') {
    if (f.node.maxItems !== undefined && n >= f.node.maxItems) return f.id + '-add';
    answers[f.path] = String(n + 1);
    return f.id + '-' + n + '-legend';
  }
  const at = Number(m[3]);
  for (let i = at; i < n - 1; i++) for (const s of f.items) answers[`${f.path}.${i}.${s.name}`] = answers[`${f.path}.${i + 1}.${s.name}`];
  for (const s of f.items) delete answers[`${f.path}.${n - 1}.${s.name}`];
  answers[f.path] = String(Math.max(n - 1, 0));
  return n - 1 > 0 ? f.id + '-' + Math.min(at, n - 2) + '-legend' : f.id + '-add';
}

/** Whether the field is shown, given the other answers (hint.showIf: every path has the value). */
export function isVisible(f, answers) {
  const cond = f.hint.showIf;
  if (!cond) return true;
  return Object.entries(cond).every(([p, v]) => answers[p] === String(v));
}

/** Whether the field must be answered, given the other answers. */
export function isRequired(f, answers) {
  if (f.required) return true;
  const cond = f.hint.requiredIf;
  if (cond) return Object.entries(cond).every(([p, v]) => answers[p] === String(v));
  return false;
}

/** The field's label in the current language; a row's question names its row ("Første dag (periode 2)"). */
export function label(f) {
  const own = pick(f.hint.label) || f.path;
  return f.parent ? `${own} (${pick(f.parent.hint.item) || t('form.row')} ${f.row + 1})` : own;
}

/** The label as a question shows it: a row's question names its row for screen readers only (the row's legend shows it). */
function labelMarkup(f) {
  if (!f.parent) return label(f);
  return html`${pick(f.hint.label) || f.path}<span class="sr-only"> (${pick(f.parent.hint.item) || t('form.row')} ${f.row + 1})</span>`;
}

function isEmpty(f, v) {
  if (f.kind === 'array') return false;
  if (f.kind === 'date') return !v || (!v.d && !v.m && !v.y);
  return v === undefined || v === null || String(v).trim() === '';
}

/** Parses a number typed the Danish or English way ("1.234,50", "215.5"). */
export function parseNumber(s) {
  let v = String(s).trim().replace(/\s/g, '');
  if (v.includes(',')) v = v.replace(/\./g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(v)) return NaN;
  return Number(v);
}

function isoDate(v) {
  const d = Number(v.d), m = Number(v.m), y = Number(v.y);
  if (!/^\d{1,2}$/.test(String(v.d).trim()) || !/^\d{1,2}$/.test(String(v.m).trim()) || !/^\d{4}$/.test(String(v.y).trim())) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

// ---------- rules between answers ----------

/** The ISO date of the date answer at path, or null when it is not a whole valid date. */
function answerDate(answers, path) {
  const v = answers[path];
  return v && typeof v === 'object' ? isoDate(v) : null;
}

/** Today's date (the person's own day) as YYYY-MM-DD. */
function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** iso plus n months, the day kept or cut to the month's last day, minus one day: the last day of a run of n months. */
function lastDayOfMonths(iso, n) {
  const [y, m, d] = iso.split('-').map(Number);
  const lastOfMonth = new Date(Date.UTC(y, m - 1 + n + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(y, m - 1 + n, Math.min(d, lastOfMonth)) - 86400000);
  return end.toISOString().slice(0, 10);
}

const RULE_OPS = ['notBefore', 'notAfter', 'before'];

/**
 * The message of the first rule between dates (hint.rules) the answers
 * break, or null. A rule compares the date at "path" (the field's own when
 * left out) with another answer's date, "today" or a fixed YYYY-MM-DD:
 * "notBefore" (not earlier), "notAfter" (not later, with "months": not
 * after the last day of that many months from it) or "before" (earlier).
 * Its message, {da, en} with {date} for the date compared with, is the
 * server's text for the same rule, shown as the server's errors are
 * (v.server: the field's label, then the message). A rule whose dates are
 * not both answered is left to the server.
 */
export function ruleMessage(f, answers) {
  for (const r of f.hint.rules || []) {
    const op = RULE_OPS.find((k) => r[k]);
    // "path": "today" compares today's date ("today notAfter firstAbsenceDay, days 34": in time).
    const a = r.path === 'today' ? todayIso() : answerDate(answers, r.path || f.path);
    let b = r[op] === 'today' ? todayIso() : /^\d{4}-\d{2}-\d{2}$/.test(r[op]) ? r[op] : answerDate(answers, r[op]);
    if (!op || !a || !b) continue;
    if (r.months) b = lastDayOfMonths(b, r.months);
    if (r.days) b = new Date(Date.parse(b + 'T00:00:00Z') + r.days * 86400000).toISOString().slice(0, 10);
    const broken = op === 'notBefore' ? a < b : op === 'notAfter' ? a > b : a >= b;
    if (broken) return t('v.server', { label: label(f), message: pick(r.message).replace('{date}', formatDate(b, lang())).replace('{today}', formatDate(todayIso(), lang())) });
  }
  return null;
}

function fmt(n) { return document.documentElement.lang === 'da' ? String(n).replace('.', ',') : String(n); }

/** Validates one answer against the schema; returns the message (current language) or null. */
export function validate(f, answers) {
  const v = answers[f.path];
  const lbl = label(f);
  const custom = (k) => pick(f.hint.messages?.[k]);
  if (f.kind === 'array') {
    const n = rowCount(f, answers);
    if (n < (f.node.minItems || 0)) return custom('minItems') || t('v.minItems', { label: lbl, n: f.node.minItems });
    if (f.node.maxItems !== undefined && n > f.node.maxItems) return t('v.maxItems', { label: lbl, n: f.node.maxItems });
    return null;
  }
  if (isEmpty(f, v)) {
    if (!isRequired(f, answers)) return null;
    if (f.kind === 'boolean' || f.kind === 'enum') return custom('required') || t('v.choose', { label: lbl });
    return custom('required') || t('v.required', { label: lbl });
  }
  const n = f.node;
  switch (f.kind) {
    case 'date': {
      if (!v.d || !v.m || !v.y) return t('v.dateParts', { label: lbl });
      if (!isoDate(v)) return custom('date') || t('v.date', { label: lbl });
      return ruleMessage(f, answers);
    }
    case 'boolean': return (v === 'true' || v === 'false') ? null : t('v.choose', { label: lbl });
    case 'enum': return n.enum.includes(v) ? null : t('v.choose', { label: lbl });
    case 'number': case 'integer': {
      const x = parseNumber(v);
      if (Number.isNaN(x)) return custom('number') || t('v.number', { label: lbl });
      if (f.kind === 'integer' && !Number.isInteger(x)) return t('v.integer', { label: lbl });
      if (n.multipleOf === 0.01 && Math.abs(Math.round(x * 100) - x * 100) > 1e-6) return t('v.decimals', { label: lbl });
      if (n.minimum !== undefined && x < n.minimum) return t('v.min', { label: lbl, n: fmt(n.minimum) });
      if (n.exclusiveMinimum !== undefined && x <= n.exclusiveMinimum) return t('v.exclusiveMin', { label: lbl, n: fmt(n.exclusiveMinimum) });
      if (n.maximum !== undefined && x > n.maximum) return t('v.max', { label: lbl, n: fmt(n.maximum) });
      // A rule of the domain tighter than the schema (hint.exclusiveMinimum), in the server's words.
      if (f.hint.exclusiveMinimum !== undefined && x <= f.hint.exclusiveMinimum) {
        return custom('exclusiveMinimum') ? t('v.server', { label: lbl, message: custom('exclusiveMinimum') }) : t('v.exclusiveMin', { label: lbl, n: fmt(f.hint.exclusiveMinimum) });
      }
      return null;
    }
    default: {
      const s = String(v).trim();
      if (n.minLength !== undefined && s.length < n.minLength) return tn('v.minLength', n.minLength, { label: lbl });
      if (n.maxLength !== undefined && s.length > n.maxLength) return tn('v.maxLength', n.maxLength, { label: lbl });
      if (n.pattern && !new RegExp(n.pattern, 'u').test(normalizeText(f, s))) return custom('pattern') || t('v.pattern', { label: lbl });
      if (n.format === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) return t('v.email', { label: lbl });
      return null;
    }
  }
}

function normalizeText(f, s) {
  // Identifiers are typed with spaces now and then ("1234 5678").
  return f.hint.stripSpaces ? s.replace(/\s/g, '') : s;
}

/** The JSON value of one answer, or undefined when not answered. */
export function value(f, answers) {
  const v = answers[f.path];
  if (f.kind === 'array' || isEmpty(f, v)) return undefined;
  switch (f.kind) {
    case 'date': return isoDate(v) ?? undefined;
    case 'boolean': return v === 'true';
    case 'number': case 'integer': return parseNumber(v);
    case 'enum': return v;
    default: return normalizeText(f, String(v).trim());
  }
}

/** The blanket's data: every answer at its path, plus the context values (from the login). */
export function buildData(fields, answers, context) {
  const out = {};
  const set = (path, v) => {
    const parts = path.split('.');
    let o = out;
    // A numeric part is a row of a list ("periods.0.from").
    parts.slice(0, -1).forEach((p, i) => { o = (o[p] ??= /^\d+$/.test(parts[i + 1]) ? [] : {}); });
    o[parts[parts.length - 1]] = v;
  };
  for (const [path, v] of Object.entries(context || {})) if (v !== undefined && v !== '') set(path, v);
  for (const f of expand(fields, answers)) {
    if (f.kind === 'array') { set(f.path, Array.from({ length: rowCount(f, answers) }, () => ({}))); continue; }
    const v = value(f, answers);
    if (v !== undefined) set(f.path, v);
  }
  return out;
}

/** The answers of a blanket's data (the inverse of buildData): a prepared blanket opened again. */
export function answersFromData(fields, data) {
  const answers = {};
  const at = (path) => path.split('.').reduce((o, p) => (o && typeof o === 'object' ? o[p] : undefined), data);
  for (const f of fields) if (f.kind === 'array') answers[f.path] = String(Array.isArray(at(f.path)) ? at(f.path).length : 0);
  for (const f of expand(fields, answers)) {
    if (f.kind === 'array') continue;
    const v = at(f.path);
    if (v === undefined || v === null) continue;
    if (f.kind === 'date') {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(v));
      answers[f.path] = m ? { d: String(Number(m[3])), m: String(Number(m[2])), y: m[1] } : { d: '', m: '', y: '' };
    } else if (f.kind === 'number' && document.documentElement.lang === 'da') {
      answers[f.path] = String(v).replace('.', ',');
    } else {
      answers[f.path] = String(v);
    }
  }
  return answers;
}

/** The answer as the person would read it (check your answers). */
export function display(f, answers) {
  const v = answers[f.path];
  if (f.kind === 'array') return String(rowCount(f, answers));
  if (isEmpty(f, v)) return '';
  switch (f.kind) {
    case 'date': {
      const iso = isoDate(v);
      if (!iso) return `${v.d}-${v.m}-${v.y}`;
      const [y, m, d] = iso.split('-');
      return `${Number(d)}.${Number(m)}.${y}`;
    }
    case 'boolean': return v === 'true' ? t('yes') : t('no');
    case 'enum': return pick(f.hint.options?.[v]) || v;
    default: return f.hint.suffix ? `${v} ${pick(f.hint.suffix)}` : String(v);
  }
}

function describedBy(f, err) {
  const ids = [];
  if (f.hint.hint) ids.push(f.id + '-hint');
  if (err) ids.push(f.id + '-error');
  return ids.length ? ids.join(' ') : null;
}

function errorMessage(f, err) {
  if (!err) return '';
  return html`<span class="form-error-message" id="${f.id}-error"><span class="sr-only">${t('error.prefix')} </span>${err}</span>`;
}

function hintText(f) {
  return f.hint.hint ? html`<span class="form-hint" id="${f.id}-hint">${pick(f.hint.hint)}</span>` : '';
}

function optionalMark(f, answers) {
  return isRequired(f, answers) ? '' : html`<span class="weight-normal"> ${t('optional')}</span>`;
}

/** The id of the element an error link points at. */
export function focusId(f) {
  if (f.kind === 'array') return f.id + '-add';
  if (f.kind === 'date') return f.id + '-day';
  if (f.kind === 'boolean' || f.kind === 'enum') return f.id + '-option1';
  return f.id;
}

/**
 * Markup of a list of rows: each row a fieldset of its questions (errOf
 * gives a question's error) with a button to remove it (while more than
 * minItems), then a button to add a row (while fewer than maxItems). The
 * buttons (type button, name "row-action") are handled by the page (see rowAction).
 */
function renderRows(f, answers, err, errOf) {
  const n = rowCount(f, answers);
  const item = pick(f.hint.item) || t('form.row');
  const title = item.charAt(0).toUpperCase() + item.slice(1);
  return html`<div class="form-group${err ? ' form-error' : ''}" id="${f.id}">
    ${hintText(f)}${errorMessage(f, err)}
    <input type="hidden" name="${f.path}" value="${n}">
    ${Array.from({ length: n }, (_, i) => html`<fieldset class="mt-6 js-row" id="${f.id}-${i}">
      <legend class="h3" id="${f.id}-${i}-legend" tabindex="-1">${title} ${i + 1}</legend>
      ${rowFields(f, i).map((sf) => renderField(sf, answers, errOf ? errOf(sf) : null))}
      ${n > (f.node.minItems || 0) ? html`<button type="button" class="button button-tertiary mt-4" name="row-action" value="remove:${f.path}:${i}" id="${f.id}-${i}-remove">${t('form.removeRow', { item, n: i + 1 })}</button>` : ''}
    </fieldset>`)}
    ${f.node.maxItems === undefined || n < f.node.maxItems ? html`<button type="button" class="button button-secondary mt-6" name="row-action" value="add:${f.path}" id="${f.id}-add">${t('form.addRow', { item })}</button>` : ''}
  </div>`;
}

/** Markup of one question in DKFDS form markup, with its error when err is set (errOf: a row's question's, for a list). */
export function renderField(f, answers, err, errOf) {
  if (f.kind === 'array') return renderRows(f, answers, err, errOf);
  const v = answers[f.path];
  const desc = describedBy(f, err);
  const group = 'form-group' + (err ? ' form-error' : '');
  if (f.kind === 'boolean' || f.kind === 'enum') {
    const opts = f.kind === 'boolean'
      ? [['true', t('yes')], ['false', t('no')]]
      : f.node.enum.map((o) => [o, pick(f.hint.options?.[o]) || o]);
    return html`<div class="${group}">
      <fieldset${desc ? raw(` aria-describedby="${desc}"`) : ''}>
        <legend class="form-label">${labelMarkup(f)}${optionalMark(f, answers)}</legend>
        ${hintText(f)}${errorMessage(f, err)}
        ${opts.map(([val, text], i) => html`<div class="form-group-radio">
          <input type="radio" id="${f.id}-option${i + 1}" name="${f.path}" class="form-radio" value="${val}"${v === val ? raw(' checked') : ''}>
          <label class="form-label" for="${f.id}-option${i + 1}">${text}</label>
        </div>`)}
      </fieldset>
    </div>`;
  }
  if (f.kind === 'date') {
    const d = v || {};
    const part = (key, cls, text, width, ac) => html`<div class="form-group ${cls}">
        <label class="form-label" for="${f.id}-${key}">${text}</label>
        <input class="form-input" type="text" inputmode="numeric" id="${f.id}-${key}" name="${f.path}.${key}" value="${d[key.charAt(0)] || ''}" maxlength="${width}"${err ? raw(' aria-invalid="true"') : ''}${ac ? raw(` autocomplete="${ac}"`) : ''}>
      </div>`;
    return html`<div class="${group}">
      <fieldset${desc ? raw(` aria-describedby="${desc}"`) : ''}>
        <legend class="form-label">${labelMarkup(f)}${optionalMark(f, answers)}</legend>
        ${hintText(f)}${errorMessage(f, err)}
        <div class="date-group mt-3">
          ${part('day', 'form-group-day', t('date.day'), 2)}
          ${part('month', 'form-group-month', t('date.month'), 2)}
          ${part('year', 'form-group-year', t('date.year'), 4)}
        </div>
      </fieldset>
    </div>`;
  }
  if (f.hint.multiline) {
    return html`<div class="${group}">
      <label class="form-label" for="${f.id}">${labelMarkup(f)}${optionalMark(f, answers)}</label>
      ${hintText(f)}${errorMessage(f, err)}
      <textarea class="form-input input-width-xl" rows="5" id="${f.id}" name="${f.path}"${desc ? raw(` aria-describedby="${desc}"`) : ''}${err ? raw(' aria-invalid="true"') : ''}${isRequired(f, answers) ? raw(' required') : ''}>${v ?? ''}</textarea>
    </div>`;
  }
  const numeric = f.kind === 'number' || f.kind === 'integer';
  const input = html`<input class="form-input ${f.hint.width || (numeric ? 'input-width-s' : '')}" type="${f.node.format === 'email' ? 'email' : 'text'}" id="${f.id}" name="${f.path}" value="${v ?? ''}"${numeric ? raw(` inputmode="${f.kind === 'integer' ? 'numeric' : 'decimal'}"`) : ''}${desc ? raw(` aria-describedby="${desc}"`) : ''}${err ? raw(' aria-invalid="true"') : ''}${f.hint.autocomplete ? raw(` autocomplete="${f.hint.autocomplete}"`) : ''}${isRequired(f, answers) ? raw(' required') : ''}>`;
  const suffix = f.hint.suffix ? pick(f.hint.suffix) : '';
  return html`<div class="${group}">
    <label class="form-label" for="${f.id}">${labelMarkup(f)}${optionalMark(f, answers)}</label>
    ${hintText(f)}${errorMessage(f, err)}
    ${suffix ? html`<div class="form-input-wrapper form-input-wrapper--suffix">${input}<div class="form-input-suffix" aria-hidden="true">${suffix}</div></div>` : input}
  </div>`;
}

/** Reads the answers of the fields on a form element into answers. */
export function readAnswers(form, fields, answers) {
  for (const f of expand(fields, answers)) {
    if (f.kind === 'array') continue;
    if (f.kind === 'date') {
      answers[f.path] = {
        d: form.elements[f.path + '.day']?.value.trim() || '',
        m: form.elements[f.path + '.month']?.value.trim() || '',
        y: form.elements[f.path + '.year']?.value.trim() || '',
      };
    } else if (f.kind === 'boolean' || f.kind === 'enum') {
      const el = form.querySelector(`input[name="${CSS.escape(f.path)}"]:checked`);
      answers[f.path] = el ? el.value : '';
    } else {
      answers[f.path] = form.elements[f.path]?.value ?? '';
    }
  }
  return answers;
}

/** The DKFDS error summary: every message, each a link to its field. */
export function errorSummary(items) {
  if (!items.length) return '';
  return html`<div class="alert alert-error" role="alert" aria-atomic="true" data-module="error-summary" tabindex="-1" id="error-summary">
    <svg class="icon-svg alert-icon" focusable="false" role="img" aria-label="${t('error.prefix').replace(':', '')}"><use href="#error"></use></svg>
    <div class="alert-body">
      <h2 class="alert-heading">${t('error.summary')}</h2>
      <ul class="alert-text nobullet-list">
        ${items.map((it) => (it.href ? html`<li><a href="${it.href}" class="function-link">${it.text}</a></li>` : html`<li>${it.text}</li>`))}
      </ul>
    </div>
  </div>`;
}
