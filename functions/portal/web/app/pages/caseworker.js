// The caseworkers' inbox: the items the municipality's delivery stream
// holds (read without acknowledging them; the case system acknowledges),
// and one item opened (the delivery function records the access in the
// ledger) with its contents and documents.

import { html, icon, formatDate, formatDateTime } from '../dom.js';
import { t, pick, lang } from '../i18n.js';
import { session, audience } from '../auth.js';
import { api, ApiError } from '../api.js';
import { blankets } from './sender.js';

const BASE = '/sagsbehandler';

function recipientOf(s) { return s.claims.role === 'udk-caseworker' ? 'UDK' : s.claims.municipality; }

function requireCaseworker() {
  const s = session();
  if (!s) return { login: true };
  if (audience(s.claims) !== 'caseworker') return { forbidden: true };
  return null;
}

/** The path of an item's page (item ids hold slashes: each part is escaped). */
function itemHref(id) { return `${BASE}/post/${id.split('/').map(encodeURIComponent).join('/')}`; }

function kindText(kind) {
  const k = {
    'sickness.report': 'cw.kind.report', 'sickness.recovery': 'cw.kind.recovery', 'sickness.refusion-period': 'cw.kind.period',
    'sickness.correction': 'cw.kind.correction', 'sickness.cancellation': 'cw.kind.cancellation', 'citizen.answer': 'cw.kind.answer',
    'citizen.recovery': 'cw.kind.citizenRecovery', 'citizen.partial-resumption': 'cw.kind.partial', 'citizen.documentation': 'cw.kind.documentation',
  }[kind];
  return k ? t(k) : kind;
}

export function inbox() {
  const need = requireCaseworker();
  if (need) return need;
  const recipient = recipientOf(session());
  return {
    title: t('caseworker.title'),
    body: html`<h1 tabindex="-1">${t('caseworker.title')}</h1>
      <p class="font-lead">${t('caseworker.lead')}</p>
      <div id="inbox"><p>${t('loading')}</p></div>`,
    async after(ctx) {
      const box = ctx.el.querySelector('#inbox');
      try {
        // The newest items: page through from the start (the cursor is
        // the case system's; reading does not move it).
        let items = [];
        let after = '0';
        for (let i = 0; i < 20; i++) {
          const page = await api('GET', `/api/v1/deliveries/${encodeURIComponent(recipient)}?limit=1000&after=${after}`);
          items = items.concat(page?.items || []);
          if (!page?.more) break;
          after = page.cursor;
        }
        items = items.reverse().slice(0, 200);
        if (!items.length) { box.innerHTML = String(html`<p id="inbox-empty">${t('caseworker.empty')}</p>`); return; }
        box.innerHTML = String(html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${t('caseworker.title')}">
          <table class="table table--compact" id="inbox-table">
            <thead><tr><th scope="col">${t('caseworker.col.received')}</th><th scope="col">${t('caseworker.col.type')}</th><th scope="col">${t('caseworker.col.absence')}</th><th scope="col">${t('cw.col.documents')}</th></tr></thead>
            <tbody>${items.map((it) => html`<tr data-item="${it.itemId}"><td>${formatDateTime(it.createdAt, lang())}</td>
              <td><a href="${itemHref(it.itemId)}">${kindText(it.kind)}<span class="sr-only"> ${formatDateTime(it.createdAt, lang())}</span></a></td>
              <td>${it.caseRef}</td><td>${(it.documentRefs || []).length || ''}</td></tr>`)}</tbody>
          </table></div>`);
      } catch {
        box.innerHTML = String(html`<p>${t('caseworker.unavailable')}</p>`);
      }
    },
  };
}

function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj || {})) {
    const p = prefix ? prefix + '.' + k : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, p, out);
    else if (Array.isArray(v)) v.forEach((x, i) => (x && typeof x === 'object' ? flatten(x, `${p}.${i}`, out) : out.push([`${p}.${i}`, x])));
    else out.push([p, v]);
  }
  return out;
}

function shown(v) {
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (/^\d{4}-\d{2}-\d{2}$/.test(String(v))) return formatDate(v, lang());
  return String(v ?? '');
}

function structured(id, caption, rows) {
  return html`<div class="table--responsive-scroll" tabindex="0" role="region" aria-label="${caption}">
    <table class="table structured-list" id="${id}"><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table></div>`;
}

/** One item of the inbox, opened: what it is, its contents and its documents. */
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
      const hints = p.blanket ? (await blankets()).find((b) => b.type === p.blanket) : null;
      const content = p.submission || p.answer || p;
      const rows = flatten(content, '', []).map(([k, v]) => [pick(hints?.fields?.[k]?.label) || k, shown(v)]);
      // Documents go to the case system with the item, scanned clean; the
      // delivery grants the recipient's caseworkers access, so each can be
      // opened here (the documents function logs every download).
      const titles = {};
      for (const d of [p.answer?.documents || [], p.answer?.documentId ? [{ documentId: p.answer.documentId, title: p.answer.title || p.answer.reason }] : []].flat()) {
        if (d?.documentId) titles[d.documentId] = d.title;
      }
      const docs = (it.documentRefs || []).map((d) => ({ id: d, title: titles[d] }));
      ctx.setTitle(kindText(it.kind));
      box.innerHTML = String(html`<a href="${BASE}" class="back-link">${icon('chevron-left')}${t('cw.back')}</a>
        <h1 tabindex="-1">${kindText(it.kind)}</h1>
        <p class="form-hint" id="access-note">${t('cw.item.logged')}</p>
        ${structured('item-facts', t('cw.item.facts'), [
    [t('caseworker.col.received'), formatDateTime(it.createdAt, lang())],
    [t('caseworker.col.absence'), it.caseRef],
    [t('cw.item.sender'), it.sender],
    ...(p.receipt ? [[t('receipt.number'), p.receipt]] : []),
    ...(p.submittedAt ? [[t('cw.item.submitted'), formatDateTime(p.submittedAt, lang())]] : []),
    [t('cw.item.id'), it.itemId],
  ])}
        <h2>${t('cw.item.content')}</h2>
        ${rows.length ? structured('item-content', t('cw.item.content'), rows) : html`<p>${t('case.none')}</p>`}
        ${p.reasons?.length ? html`<h2>${t('cw.item.reasons')}</h2><ul>${p.reasons.map((r) => html`<li>${lang() === 'en' ? r.textEn : r.textDa}${r.law ? html` <span class="form-hint">(${r.law})</span>` : ''}</li>`)}</ul>` : ''}
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
