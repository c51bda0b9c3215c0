// Small helpers to build markup safely: html`...` escapes every
// interpolated value unless it is itself html`...` (or an array of them).

class Safe {
  constructor(s) { this.s = s; }
  toString() { return this.s; }
}

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes s for use in HTML text or a quoted attribute. */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
}

function part(v) {
  if (v instanceof Safe) return v.s;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

/** Tagged template that escapes its values. */
export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Safe(out);
}

/** Marks trusted markup (built by this app) as safe. */
export function raw(s) { return new Safe(String(s)); }

/** An icon from the DKFDS sprite (inlined in the page by main.js). */
export function icon(name, label) {
  if (label) return html`<svg class="icon-svg" focusable="false" role="img" aria-label="${label}"><use href="#${name}"></use></svg>`;
  return html`<svg class="icon-svg" focusable="false" aria-hidden="true"><use href="#${name}"></use></svg>`;
}

/** Replaces the children of el with markup. */
export function render(el, markup) { el.innerHTML = String(markup); }

/** Formats an ISO date (YYYY-MM-DD) as d. month yyyy in the language. */
export function formatDate(iso, lang) {
  if (!iso) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toLocaleDateString(lang === 'en' ? 'en-GB' : 'da-DK', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** Formats an ISO date short, for tables: 27.04.2026 (Danish), 27/04/2026 (English). */
export function formatShortDate(iso, lang) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  if (!m) return iso || '';
  return lang === 'en' ? `${m[3]}/${m[2]}/${m[1]}` : `${m[3]}.${m[2]}.${m[1]}`;
}

/** Formats a timestamp with date and time in the language. */
export function formatDateTime(ts, lang) {
  if (!ts) return '';
  return new Date(ts).toLocaleString(lang === 'en' ? 'en-GB' : 'da-DK', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Formats kroner with two decimals in the language. */
export function formatKroner(n, lang) {
  const v = Number(n);
  if (!Number.isFinite(v)) return String(n ?? '');
  return v.toLocaleString(lang === 'en' ? 'en-GB' : 'da-DK', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + (lang === 'en' ? ' DKK' : ' kr.');
}
