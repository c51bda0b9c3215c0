// The caseworkers' inbox (the municipality's or Udbetaling Danmark's):
// the authority's absences with their items, newest first, each with the
// person (name and CPR) and the items' senders (company names), whether
// the caseworker has opened each item, filtered by type, received date and
// read state and paged on the server (GET /api/v1/deliveries/{recipient}/
// inbox: every item is reachable). One item opened (the delivery function
// records the read in the ledger) shows its contents labelled as the
// sender's form and the schemas name them, grouped by section, with enum
// values, dates and amounts in words (labelled()).

import { html, icon, formatDate, formatDateTime, formatKroner } from '../dom.js';
import { t, tn, pick, lang, law } from '../i18n.js';
import { session, audience } from '../auth.js';
import { api, ApiError } from '../api.js';
import { loadSchema, resolve } from '../form.js';
import { blankets } from './sender.js';
import { sectionFields } from './infoform.js';
import { fieldsOf } from './cztasks.js';

const BASE = '/sagsbehandler';
const PAGE = 20;

function recipientOf(s) { return s.claims.role === 'udk-caseworker' ? 'UDK' : s.claims.municipality; }
function isUDK(s) { return s.claims.role === 'udk-caseworker'; }

function requireCaseworker() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'caseworker') return { forbidden: true };
  return null;
}

/** The path of an item's page (item ids hold slashes: each part is escaped). */
function itemHref(id) { return `${BASE}/post/${id.split('/').map(encodeURIComponent).join('/')}`; }

// The kinds of item, by the authority that receives them, with their words.
const KINDS = {
  municipality: [
    ['sickness.report', 'cw.kind.report'], ['sickness.selfemployed.report', 'cw.kind.selfemployedReport'], ['sickness.akasse.report', 'cw.kind.akasseReport'],
    ['sickness.early-follow-up', 'cw.kind.earlyFollowUp'], ['sickness.refusion-period', 'cw.kind.period'], ['sickness.recovery', 'cw.kind.recovery'],
    ['sickness.correction', 'cw.kind.correction'], ['sickness.cancellation', 'cw.kind.cancellation'],
    ['citizen.answer', 'cw.kind.answer'], ['citizen.recovery', 'cw.kind.citizenRecovery'], ['citizen.partial-resumption', 'cw.kind.partial'],
    ['citizen.documentation', 'cw.kind.documentation'], ['dfdg.recovery', 'cw.kind.dfdgRecovery'],
    ['subsidy.wage', 'cw.kind.subsidyWage'], ['subsidy.flexjob', 'cw.kind.subsidyFlexjob'], ['subsidy.jobclarification', 'cw.kind.subsidyJobclarification'],
    ['subsidy.adultapprentice', 'cw.kind.subsidyAdultapprentice'], ['subsidy.mentor', 'cw.kind.subsidyMentor'], ['subsidy.selfemployed136', 'cw.kind.subsidySelfemployed136'],
  ],
  udk: [
    ['parental.report', 'cw.kind.parentalReport'], ['parental.selfemployed.report', 'cw.kind.parentalSelfemployed'], ['parental.akasse.information', 'cw.kind.parentalAkasse'],
  ],
};
const KIND_KEYS = Object.fromEntries([...KINDS.municipality, ...KINDS.udk]);

function kindText(kind) { return KIND_KEYS[kind] ? t(KIND_KEYS[kind]) : kind; }

/** What an item is: its kind, and for a citizen's answer the task it answers. */
function itemText(kind, task) { return task ? `${kindText(kind)}: ${t('cw.task.' + task)}` : kindText(kind); }

/** "120385-4321" for a CPR number of 10 digits. */
function cprText(c) { return /^\d{10}$/.test(c || '') ? `${c.slice(0, 6)}-${c.slice(6)}` : (c || ''); }

/** The sender in words: the company and its CVR number, or the citizen. */
function senderText(sender, name) {
  if (!sender) return '';
  if (sender.startsWith('cpr:')) return t('cw.sender.citizen');
  const cvr = /^(?:cvr:)?(\d{8})$/.exec(sender)?.[1];
  if (cvr) return name ? `${name} (CVR ${cvr})` : `CVR ${cvr}`;
  return sender;
}

function personText(p) {
  if (!p) return t('cw.person.unknown');
  return p.name ? `${p.name}, ${t('cw.person.cpr')} ${cprText(p.cpr)}` : `${t('cw.person.cpr')} ${cprText(p.cpr)}`;
}

// ---------- the inbox ----------

/** The inbox's filters and page, as the address has them. */
function inboxQuery() {
  const q = new URLSearchParams(location.search);
  const g = (k) => (q.get(k) || '').trim();
  const date = (k) => (/^\d{4}-\d{2}-\d{2}$/.test(g(k)) ? g(k) : '');
  return { kind: g('kind'), from: date('from'), to: date('to'), read: ['read', 'unread'].includes(g('read')) ? g('read') : '', page: Math.max(1, Number.parseInt(g('side'), 10) || 1) };
}

function inboxHref(q, page) {
  const p = new URLSearchParams();
  for (const k of ['kind', 'from', 'to', 'read']) if (q[k]) p.set(k, q[k]);
  if (page > 1) p.set('side', String(page));
  const s = p.toString();
  return s ? `${BASE}?${s}` : BASE;
}

function selectField(id, name, labelText, value, options) {
  return html`<div class="form-group mt-0 mr-5">
    <label class="form-label" for="${id}">${labelText}</label>
    <select class="form-select" id="${id}" name="${name}">${options.map(([v, txt]) => html`<option value="${v}"${v === value ? html` selected` : ''}>${txt}</option>`)}</select>
  </div>`;
}

function dateFilter(id, name, labelText, value) {
  return html`<div class="form-group mt-0 mr-5">
    <label class="form-label" for="${id}">${labelText}</label>
    <input type="date" class="form-input input-width-s" id="${id}" name="${name}" value="${value}">
  </div>`;
}

function filterForm(q, kinds) {
  const any = q.kind || q.from || q.to || q.read;
  return html`<form id="inbox-filter" class="mb-5" role="search" aria-label="${t('cw.filter.label')}" novalidate>
    <div class="d-flex flex-wrap">
      ${selectField('filter-kind', 'kind', t('cw.filter.kind'), q.kind, [['', t('overview.filter.all')], ...kinds.map(([k, key]) => [k, t(key)])])}
      ${dateFilter('filter-from', 'from', t('cw.filter.from'), q.from)}
      ${dateFilter('filter-to', 'to', t('cw.filter.to'), q.to)}
      ${selectField('filter-read', 'read', t('cw.filter.read'), q.read, [['', t('overview.filter.all')], ['unread', t('cw.filter.unread')], ['read', t('cw.filter.readOnly')]])}
    </div>
    <button type="submit" class="button button-primary mr-5" id="filter-submit">${t('cw.filter.apply')}</button>
    ${any ? html`<a href="${BASE}" id="filter-reset">${t('overview.reset')}</a>` : ''}
  </form>`;
}

/** DKFDS pagination of the inbox (previous, page numbers with …, next). */
function pagination(q, pages) {
  const cur = q.page;
  const nums = [];
  for (let n = 1; n <= pages; n++) {
    if (n === 1 || n === pages || Math.abs(n - cur) <= 1) nums.push(n);
    else if (nums[nums.length - 1] !== '…') nums.push('…');
  }
  const edge = (n, cls, content, off) => html`<a href="${inboxHref(q, n)}" class="button button-arrow ${cls} page-button${off ? ' hidden' : ''}"${off ? html` aria-hidden="true" tabindex="-1"` : ''}>${content}</a>`;
  return html`<nav class="pagination mt-5" aria-label="${t('cw.pages')}" id="inbox-pages">
    ${edge(cur - 1, 'button-previous', html`${icon('chevron-left')}<span class="pagination-nav-link">${t('overview.page.prev')}</span>`, cur <= 1)}
    <span class="pagination-mobile h6">${t('overview.page', { n: cur })} / ${pages}</span>
    <ul class="pagination__items">${nums.map((n) => (n === '…'
    ? html`<li class="pagination-item pagination-overflow"><span>…</span></li>`
    : html`<li class="pagination-item pagination-number"><a href="${inboxHref(q, n)}" class="button${n === cur ? ' current-page' : ''}" aria-label="${t('overview.page', { n })}"${n === cur ? html` aria-current="page"` : ''}>${n}</a></li>`))}</ul>
    ${edge(cur + 1, 'button-next', html`<span class="pagination-nav-link">${t('overview.page.next')}</span>${icon('chevron-right')}`, cur >= pages)}
  </nav>`;
}

function readBadge(read) {
  return read ? html`<span class="badge badge-small">${t('cw.read')}</span>` : html`<span class="badge badge-small badge-info">${t('cw.unread')}</span>`;
}

/** The inbox's table: one group of rows per absence (its person), its items newest first. */
function inboxTable(res) {
  return html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('caseworker.title')}">
    <table class="table table--compact" id="inbox-table">
      <thead><tr><th scope="col">${t('caseworker.col.received')}</th><th scope="col">${t('caseworker.col.type')}</th><th scope="col">${t('cw.item.sender')}</th>
        <th scope="col">${t('cw.col.read')}</th><th scope="col">${t('cw.col.documents')}</th></tr></thead>
      ${res.absences.map((a) => html`<tbody data-absence="${a.absenceId}">
        <tr class="inbox-absence"><th scope="colgroup" colspan="5"><span class="inbox-person">${personText(a.person)}</span>
          <span class="form-hint d-block">${t('caseworker.col.absence')} ${a.absenceId}${a.unread ? ` · ${tn('cw.unreadCount', a.unread)}` : ''}</span></th></tr>
        ${a.items.map((it) => html`<tr data-item="${it.itemId}" data-read="${it.read ? 'true' : 'false'}"${it.read ? '' : html` class="inbox-unread"`}>
          <td>${formatDateTime(it.createdAt, lang())}</td>
          <td><a href="${itemHref(it.itemId)}">${itemText(it.kind, it.task)}<span class="sr-only"> – ${personText(a.person)}, ${formatDateTime(it.createdAt, lang())}</span></a>${it.receipt ? html`<span class="form-hint d-block">${t('receipt.number')} ${it.receipt}</span>` : ''}</td>
          <td>${senderText(it.sender, it.senderName)}</td>
          <td>${readBadge(it.read)}</td>
          <td>${it.documents || ''}</td></tr>`)}
      </tbody>`)}
    </table></div>`;
}

export function inbox() {
  const need = requireCaseworker();
  if (need) return need;
  const s = session();
  const recipient = recipientOf(s);
  const title = isUDK(s) ? t('cw.title.udk') : t('caseworker.title');
  const q = inboxQuery();
  return {
    title,
    body: html`<h1 tabindex="-1">${title}</h1>
      <p class="font-lead">${isUDK(s) ? t('cw.lead.udk') : t('caseworker.lead')}</p>
      <div id="inbox-filter-box"></div>
      <div id="inbox"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const kinds = isUDK(s) ? KINDS.udk : KINDS.municipality;
      ctx.el.querySelector('#inbox-filter-box').innerHTML = String(filterForm(q, kinds));
      const form = ctx.el.querySelector('#inbox-filter');
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        const fd = new FormData(form);
        ctx.go(inboxHref({ kind: fd.get('kind') || '', from: fd.get('from') || '', to: fd.get('to') || '', read: fd.get('read') || '' }, 1));
      });
      const box = ctx.el.querySelector('#inbox');
      const p = new URLSearchParams({ offset: String((q.page - 1) * PAGE), limit: String(PAGE) });
      for (const k of ['kind', 'from', 'to', 'read']) if (q[k]) p.set(k, q[k]);
      let res;
      try {
        res = await api('GET', `/api/v1/deliveries/${encodeURIComponent(recipient)}/inbox?${p}`);
      } catch (e) {
        if (e instanceof ApiError && e.status === 400 && e.fieldErrors?.length) {
          box.innerHTML = String(html`<div class="alert alert-error" role="alert" id="inbox-error">${icon('error', t('error.prefix').replace(':', ''))}<div class="alert-body">
            <p class="alert-text">${t('overview.badRequest')}</p><ul class="alert-text">${e.fieldErrors.map((x) => html`<li>${pick(x)}</li>`)}</ul></div></div>`);
        } else {
          box.innerHTML = String(html`<p>${t('caseworker.unavailable')}</p>`);
        }
        return;
      }
      const filtered = Boolean(q.kind || q.from || q.to || q.read);
      if (!res.absences.length) {
        box.innerHTML = String(html`<p id="inbox-empty">${filtered || q.page > 1 ? t('cw.noMatch') : t('caseworker.empty')}</p>`);
        return;
      }
      const from = (q.page - 1) * PAGE;
      const pages = Math.max(1, Math.ceil(res.total / PAGE));
      box.innerHTML = String(html`<p class="form-hint" id="inbox-count" role="status">${tn('cw.count', res.total, { from: from + 1, to: from + res.absences.length, total: res.total, items: tn('cw.items', res.items) })}</p>
        ${inboxTable(res)}
        ${pages > 1 ? pagination(q, pages) : ''}`);
    },
  };
}

// ---------- one item, labelled ----------

/** A schema node with its $ref (to its own $defs) resolved. */
function deref(schema, node) {
  if (!node?.$ref?.startsWith('#/$defs/')) return node || {};
  const { $ref, ...rest } = node;
  return { ...(schema.$defs?.[$ref.split('/').pop()] || {}), ...rest };
}

function kindOfNode(node) {
  if (node.format === 'date') return 'date';
  if (node.format === 'date-time') return 'datetime';
  if (Array.isArray(node.enum)) return 'enum';
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'integer' || node.type === 'number') return 'number';
  return 'text';
}

function titleOf(node) { return node?.title ? { da: node.title, en: node['x-title-en'] || node.title } : null; }

/** Whether a field is an amount in kroner: the form's suffix, or a schema title "… (kr.)". */
function isAmount(label, suffix) { return suffix?.da === 'kr.' || /\(kr\.\)$/.test(label?.da || ''); }

/** The shown value of v for the field model m. */
function shownValue(m, v) {
  const l = lang();
  if (v === null || v === undefined || v === '') return '';
  if (Array.isArray(v)) return v.map((x) => shownValue(m, x)).join(', ');
  switch (m.kind) {
    case 'boolean': return v ? t('yes') : t('no');
    case 'date': return formatDate(String(v), l);
    case 'datetime': return formatDateTime(String(v), l);
    case 'enum': return pick(m.options?.[v]) || pick(m.enumTitles?.[v]) || String(v);
    case 'number': {
      if (m.amount) return formatKroner(v, l);
      const n = Number(v).toLocaleString(l === 'en' ? 'en-GB' : 'da-DK', { maximumFractionDigits: 2 });
      return m.suffix ? `${n} ${pick(m.suffix)}` : n;
    }
    default: break;
  }
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return formatDate(String(v), l);
  if (/(^|\.)cpr$/.test(m.path)) return cprText(String(v));
  return String(v);
}

/** A field model: the path (array indexes as *), its label, section and how to show it. */
function model(path, label, section, node, extra) {
  const n = node || {};
  const m = { path, label, section, kind: n.kind || kindOfNode(n), enumTitles: n['x-enum-titles'], ...extra };
  if (m.kind === 'number' && m.amount === undefined) m.amount = isAmount(label, m.suffix);
  return m;
}

/** The models of a schema's leaves under node (prefix), for the fields no form page names. */
function schemaModels(schema, node, prefix, section, arrayOf, out) {
  const n = deref(schema, node);
  for (const [k, raw] of Object.entries(n.properties || {})) {
    const p = deref(schema, raw);
    const path = prefix ? `${prefix}.${k}` : k;
    const title = titleOf(p);
    if (p.type === 'object' || p.properties) {
      schemaModels(schema, p, path, title || section, arrayOf, out);
    } else if (p.type === 'array') {
      const items = deref(schema, p.items);
      if (items.properties) schemaModels(schema, items, `${path}.*`, section, title, out);
      else out.push(model(path, title, section, items, { array: true }));
    } else {
      out.push(model(path, title, section, p, arrayOf ? { arrayOf } : {}));
    }
  }
  return out;
}

/** The models of a blanket: its form's pages (sections, labels, choices) first, then its schema's titles. */
async function blanketModels(type) {
  const [hints, schema] = await Promise.all([
    blankets().then((list) => list.find((b) => b.type === type)).catch(() => null),
    loadSchema(type.replace(/^dk\.nemrefusion\./, '') + '.json').catch(() => null),
  ]);
  const out = [];
  for (const page of hints?.pages || []) {
    for (const path of page.fields) {
      const h = hints.fields?.[path] || {};
      const node = schema ? resolve(schema, path)?.node : null;
      out.push(model(path, h.label || titleOf(node), page.title, node, { options: h.options, suffix: h.suffix }));
    }
  }
  if (schema) {
    const other = { da: t('cw.section.other'), en: t('cw.section.other') };
    for (const m of schemaModels(schema, schema, '', null, null, [])) {
      // A row of a list (periods.*.from) takes the form's words for it
      // (periods.from), the list's label and the page that asks it.
      const arr = m.path.includes('.*') ? m.path.slice(0, m.path.indexOf('.*')) : null;
      const h = hints?.fields?.[m.path] || hints?.fields?.[m.path.replace(/\.\*(?=\.|$)/g, '')];
      const page = arr ? hints?.pages?.find((pg) => pg.fields.includes(arr)) : null;
      const arrayOf = (arr && hints?.fields?.[arr]?.label) || m.arrayOf;
      if (!out.some((x) => x.path === m.path)) {
        out.push({ ...m, label: h?.label || m.label, section: page?.title || m.section || other, options: h?.options || m.options, suffix: h?.suffix, arrayOf });
      }
    }
  }
  return out;
}

/** The models of the information form: its sections (schema x-sections) and their questions. */
async function informationFormModels(answer) {
  const [schema, h] = await Promise.all([loadSchema('citizen.information-form.v1.json'), fetch('/app/citizen/information-form.json').then((r) => r.json())]);
  const out = [];
  for (const section of schema['x-sections'] || Object.keys(schema.properties || {})) {
    const def = schema.$defs?.[section];
    if (!def) continue;
    const counts = {};
    for (const [k, v] of Object.entries(answer?.[section] || {})) if (Array.isArray(v)) counts[k] = v.length;
    for (const f of sectionFields(schema, h, section, counts)) {
      out.push(model(`${section}.${f.path}`, f.hint.label, titleOf(def), { kind: f.kind === 'integer' ? 'number' : f.kind }, { options: f.hint.options }));
    }
  }
  return out;
}

// The answers of Mit Sygefravær that are not tasks, with the citizen's form's words.
const CITIZEN_FIELDS = {
  recovery: [['lastAbsenceDay', 'cz.recovery.last', 'date']],
  'partial-resumption': [['incapacity.from', 'cz.partial.from', 'date'], ['incapacity.percent', 'cz.partial.percent', 'number'],
    ['weeks.*.weekStart', 'cz.partial.week', 'date'], ['weeks.*.hours', 'cz.partial.hours', 'number'], ['weeks.*.minutes', 'cz.partial.minutes', 'number']],
  documentation: [['title', 'cz.upload.title', 'text'], ['reason', 'cz.upload.reason', 'text'], ['documentId', 'cw.item.document', 'text']],
};

/** The models of a citizen's answer of kind (as its form in Mit Sygefravær asks it). */
async function citizenModels(p) {
  const section = { da: kindText('citizen.answer'), en: kindText('citizen.answer') };
  if (p.kind === 'information-form') return informationFormModels(p.answer);
  const task = fieldsOf(p.kind, p.personKind);
  if (task) return task.map((f) => model(f.path, f.hint.label, section, { kind: f.kind === 'integer' ? 'number' : f.kind }, { options: f.hint.options }));
  return (CITIZEN_FIELDS[p.kind] || []).map(([path, key, kind]) => model(path, { numbered: key }, section, { kind }));
}

/** The leaves of data as [path, value] (arrays of scalars stay one value). */
function leaves(data, prefix, out) {
  for (const [k, v] of Object.entries(data || {})) {
    const p = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) v.forEach((x, i) => leaves(x, `${p}.${i}`, out));
    else if (v && typeof v === 'object' && !Array.isArray(v)) leaves(v, p, out);
    else out.push([p, v]);
  }
  return out;
}

/** The label of model m for the leaf at path (the item's number where the path has one). */
function labelOf(m, path) {
  const i = /\.(\d+)\./.exec(path)?.[1];
  if (m.label?.numbered) return t(m.label.numbered, { n: Number(i ?? 0) + 1 });
  const l = pick(m.label) || t('cw.field.unnamed');
  return m.arrayOf && i !== undefined ? `${pick(m.arrayOf)} ${Number(i) + 1}: ${l}` : l;
}

/**
 * The content of data as sections of [label, value] rows, in the models'
 * order; a leaf no model names goes to "Øvrige oplysninger" under a
 * generic label (the schemas title every field, so none should).
 */
function labelled(models, data) {
  const sections = new Map();
  const add = (title, row, order) => {
    const key = pick(title);
    if (!sections.has(key)) sections.set(key, { title: key, rows: [] });
    sections.get(key).rows.push([order, ...row]);
  };
  for (const [path, v] of leaves(data, '', [])) {
    if (v === null || v === undefined || v === '') continue;
    const generic = path.replace(/\.\d+(?=\.|$)/g, '.*');
    const idx = models.findIndex((m) => m.path === path || m.path === generic);
    if (idx < 0) {
      add({ da: t('cw.section.other'), en: t('cw.section.other') }, [t('cw.field.unnamed'), shownValue({ path, kind: '' }, v)], 1e6);
      continue;
    }
    const m = models[idx];
    add(m.section || { da: t('cw.section.other'), en: t('cw.section.other') }, [labelOf(m, path), shownValue(m, v)], idx);
  }
  // Sections and their rows in the models' order (the form's pages first).
  return [...sections.values()].map((s) => ({ title: s.title, rows: s.rows.sort((a, b) => a[0] - b[0]) }))
    .sort((a, b) => a.rows[0][0] - b.rows[0][0])
    .map((s) => ({ title: s.title, rows: s.rows.map(([, k, v]) => [k, v]) }));
}

function structured(id, caption, rows) {
  return html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${caption}">
    <table class="table structured-list"${id ? html` id="${id}"` : ''}><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table></div>`;
}

/** The item's content labelled, and the data it is: the submission, the citizen's answer or the item itself. */
async function contentOf(p) {
  if (p.blanket) return labelled(await blanketModels(p.blanket), p.submission || {});
  if (p.answer !== undefined && p.kind) return labelled(await citizenModels(p), p.answer || {});
  const { absenceId, ...rest } = p;
  const models = Object.keys(rest).map((k) => model(k, { numbered: `cw.field.${k}` }, { da: t('cw.item.content'), en: t('cw.item.content') }, { kind: /Day|On$/.test(k) ? 'date' : 'text' }));
  return labelled(models, rest);
}

/** One item of the inbox, opened: what it is, whom it is about, its contents and its documents. */
export function item(id) {
  const need = requireCaseworker();
  if (need) return need;
  const recipient = recipientOf(session());
  return {
    title: t('cw.item.title'),
    body: html`<div id="item"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#item');
      let it;
      try {
        it = await api('GET', `/api/v1/deliveries/${encodeURIComponent(recipient)}/items/${id.split('/').map(encodeURIComponent).join('/')}`);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 404 || e.status === 403)) { ctx.handle({ notFound: true }); return; }
        box.innerHTML = String(html`<h1 tabindex="-1">${t('cw.item.title')}</h1><p>${t('caseworker.unavailable')}</p>`);
        return;
      }
      const p = it.payload || {};
      const sections = await contentOf(p);
      // Documents go to the case system with the item, scanned clean; the
      // delivery grants the recipient's caseworkers access, so each can be
      // opened here (the documents function logs every download).
      const titles = {};
      for (const d of [p.answer?.documents || [], p.answer?.documentId ? [{ documentId: p.answer.documentId, title: p.answer.title || p.answer.reason }] : []].flat()) {
        if (d?.documentId) titles[d.documentId] = d.title;
      }
      const docs = (it.documentRefs || []).map((d) => ({ id: d, title: titles[d] }));
      const what = itemText(it.kind, it.kind === 'citizen.answer' ? p.kind : '');
      ctx.setTitle(what);
      box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('cw.back')}</a>
        <h1 tabindex="-1">${what}</h1>
        <p class="form-hint" id="access-note">${t('cw.item.logged')}</p>
        ${structured('item-facts', t('cw.item.facts'), [
    [t('cw.person'), html`<span id="item-person">${personText(it.person)}</span>`],
    [t('caseworker.col.received'), formatDateTime(it.createdAt, lang())],
    [t('cw.item.sender'), html`<span id="item-sender">${senderText(it.sender, it.senderName)}</span>`],
    ...(p.receipt ? [[t('receipt.number'), p.receipt]] : []),
    ...(p.submittedAt ? [[t('cw.item.submitted'), formatDateTime(p.submittedAt, lang())]] : []),
    [t('caseworker.col.absence'), it.caseRef],
    [t('cw.item.id'), it.itemId],
  ])}
        <h2>${t('cw.item.content')}</h2>
        <div id="item-content">${sections.length ? sections.map((s, i) => html`<h3 class="h4">${s.title}</h3>${structured(`item-section-${i}`, s.title, s.rows)}`) : html`<p>${t('case.none')}</p>`}</div>
        ${p.reasons?.length ? html`<h2>${t('cw.item.reasons')}</h2><ul>${p.reasons.map((r) => html`<li>${lang() === 'en' ? r.textEn : r.textDa}${r.law ? html` <span class="form-hint">(${law(r.law)})</span>` : ''}</li>`)}</ul>` : ''}
        <h2>${t('cw.item.documents')}</h2>
        ${docs.length ? html`<ul class="nobullet-list" id="item-documents">${docs.map((d) => html`<li class="mb-3" data-doc="${d.id}">${icon('file')} <strong>${d.title || t('cw.item.document')}</strong>
          <br><span class="form-hint">${d.id} · ${t('cw.doc.inCaseSystem')}</span>
          <br><button type="button" class="button button-secondary mt-3" data-open-doc="${d.id}">${t('cw.doc.open')}<span class="sr-only"> ${d.title || t('cw.item.document')}</span></button>
          <div class="doc-status" role="status"></div></li>`)}</ul>`
    : html`<p id="item-no-documents">${t('cw.item.noDocuments')}</p>`}`);
      for (const b of box.querySelectorAll('[data-open-doc]')) {
        const d = docs.find((x) => x.id === b.dataset.openDoc);
        b.addEventListener('click', () => openDocument(d, b, b.parentElement.querySelector('.doc-status')));
      }
      ctx.focusHeading();
    },
  };
}

/**
 * Opens document d: asks the documents function for a short-lived link
 * (JSON form of GET …/download, with the bearer token) and starts the
 * download; the link stays shown in case the browser does not start it.
 * A document that is not scanned yet, rejected or not accessible gets a
 * message instead.
 */
async function openDocument(d, button, out) {
  const name = d.title || t('cw.item.document');
  button.disabled = true;
  out.innerHTML = String(html`<p class="mt-2">${t('cw.doc.opening')}</p>`);
  try {
    const link = await api('GET', `/api/v1/documents/${encodeURIComponent(d.id)}/download`);
    out.innerHTML = String(html`<p class="mt-2">${t('cw.doc.started')} <a class="doc-link" href="${link.url}" rel="noopener noreferrer">${t('cw.doc.link', { title: name })}</a></p>`);
    window.location.assign(link.url);
  } catch (e) {
    let key = 'cw.doc.error';
    if (e instanceof ApiError && e.status === 409) key = e.body?.code === 'rejected' ? 'cw.doc.rejected' : 'cw.doc.notReady';
    else if (e instanceof ApiError && (e.status === 404 || e.status === 403)) key = 'cw.doc.notFound';
    out.innerHTML = String(html`<div class="alert alert-warning mt-2 doc-problem" role="alert"><div class="alert-body"><p class="alert-text">${t(key)}</p></div></div>`);
  } finally {
    button.disabled = false;
  }
}
