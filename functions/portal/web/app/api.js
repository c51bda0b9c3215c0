// Calls to the public APIs on this origin, always with the bearer token.

import { session } from './auth.js';

/** An API answer that is not 2xx: status, the JSON body and, for 401, the WWW-Authenticate header. */
export class ApiError extends Error {
  constructor(status, body, authenticate) {
    super('api ' + status);
    this.status = status;
    this.body = body;
    this.authenticate = authenticate || '';
  }

  /** The field errors of a 400 answer ([{field, code, da, en}]). */
  get fieldErrors() {
    const b = this.body;
    if (Array.isArray(b)) return b;
    if (b && Array.isArray(b.errors)) return b.errors;
    if (b && Array.isArray(b.fieldErrors)) return b.fieldErrors;
    return [];
  }

  /** True when the login is too old for a signed action. */
  get needsFreshLogin() {
    return this.status === 401 && /insufficient_user_authentication/.test(this.authenticate);
  }
}

/** Calls method path with an optional JSON body (or a ready body and contentType). */
export async function api(method, path, body, contentType) {
  const s = session();
  const headers = { Accept: 'application/json' };
  if (s) headers.Authorization = 'Bearer ' + s.accessToken;
  let payload;
  if (body instanceof FormData) {
    payload = body; // the browser sets the multipart boundary
  } else if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    payload = contentType ? body : JSON.stringify(body);
  }
  const r = await fetch(path, { method, headers, body: payload });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!r.ok) throw new ApiError(r.status, data, r.headers.get('WWW-Authenticate'));
  return data;
}

/** Posts a CloudEvent (structured mode) to intake; answers the receipt. */
export function postEvent(ev) {
  return api('POST', '/api/v1/events', JSON.stringify(ev), 'application/cloudevents+json');
}

/**
 * Fetches path with the bearer token and saves the answer as the file
 * filename. A plain link cannot carry the token, so the body is read as a
 * blob and handed to the browser through an object URL.
 */
export async function download(path, filename) {
  const s = session();
  const headers = {};
  if (s) headers.Authorization = 'Bearer ' + s.accessToken;
  const r = await fetch(path, { headers });
  if (!r.ok) {
    let data = null;
    try { data = await r.json(); } catch { /* not JSON */ }
    throw new ApiError(r.status, data, r.headers.get('WWW-Authenticate'));
  }
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser has taken the file once the click is handled.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
