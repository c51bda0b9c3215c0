// Login with OpenID Connect: authorization code with PKCE (S256) against
// the issuer the portal names in /config.json; the code is exchanged through
// the portal (POST /auth/token). The access token lives in this tab's
// sessionStorage and goes out as a bearer token on every API call.

import { lang } from './i18n.js';

const SESSION = 'nr.session';
const PKCE = 'nr.pkce';

let cfgPromise = null;

/** The portal's login configuration. */
export function config() {
  if (!cfgPromise) {
    cfgPromise = fetch('/config.json', { headers: { Accept: 'application/json' } }).then((r) => {
      if (!r.ok) throw new Error('config ' + r.status);
      return r.json();
    }).catch((e) => { cfgPromise = null; throw e; });
  }
  return cfgPromise;
}

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(n) {
  const a = new Uint8Array(n);
  crypto.getRandomValues(a);
  return b64url(a);
}

function decodeClaims(jwt) {
  const part = jwt.split('.')[1] || '';
  const bin = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function redirectURI() { return location.origin + '/callback'; }

/**
 * Starts a login: remembers where to come back to and sends the browser to
 * the issuer's login page. fresh asks for a new login (to sign).
 */
export async function login(returnTo, fresh) {
  const cfg = await config();
  const verifier = randomString(48);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const state = randomString(16);
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, returnTo: returnTo || '/' }));
  const u = new URL(cfg.authorizationEndpoint, location.href);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', cfg.clientId);
  u.searchParams.set('redirect_uri', redirectURI());
  u.searchParams.set('scope', 'openid');
  u.searchParams.set('code_challenge', b64url(new Uint8Array(digest)));
  u.searchParams.set('code_challenge_method', 'S256');
  u.searchParams.set('state', state);
  // The login page in the app's language (OpenID Connect Core § 3.1.2.1).
  u.searchParams.set('ui_locales', lang());
  if (fresh) u.searchParams.set('prompt', 'login');
  location.assign(u.toString());
}

/**
 * Finishes a login on /callback: checks the state, exchanges the code and
 * stores the session. Returns where to go next; throws on failure (with
 * .cancelled when the user cancelled).
 */
export async function finishLogin(params) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE) || 'null');
  sessionStorage.removeItem(PKCE);
  if (params.get('error')) {
    const e = new Error(params.get('error'));
    e.cancelled = params.get('error') === 'access_denied';
    e.returnTo = saved?.returnTo;
    throw e;
  }
  if (!saved || saved.state !== params.get('state') || !params.get('code')) throw new Error('state');
  const body = new URLSearchParams({ code: params.get('code'), code_verifier: saved.verifier, redirect_uri: redirectURI() });
  const r = await fetch('/auth/token', { method: 'POST', body, headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error('token ' + r.status);
  const tok = await r.json();
  const claims = decodeClaims(tok.access_token);
  const expiresAt = (claims.exp ? claims.exp * 1000 : Date.now() + (tok.expires_in || 900) * 1000);
  sessionStorage.setItem(SESSION, JSON.stringify({ accessToken: tok.access_token, claims, expiresAt }));
  return saved.returnTo || '/';
}

/** The current session ({accessToken, claims, expiresAt}) or null. */
export function session() {
  const s = JSON.parse(sessionStorage.getItem(SESSION) || 'null');
  if (!s) return null;
  if (Date.now() >= s.expiresAt) {
    sessionStorage.removeItem(SESSION);
    return null;
  }
  return s;
}

/** Seconds since the login of the current session (for signing). */
export function loginAge() {
  const s = session();
  if (!s || !s.claims.auth_time) return Infinity;
  return Date.now() / 1000 - s.claims.auth_time;
}

/** Ends the session in this tab. Drafts of forms stay unless all is set. */
export function logout(all) {
  sessionStorage.removeItem(SESSION);
  if (all) {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith('nr.')) sessionStorage.removeItem(k);
  }
}

/** Role groups of the app. */
export function audience(claims) {
  switch (claims?.role) {
    case 'employer': case 'self-employed': case 'akasse': return 'sender';
    case 'citizen': case 'proxy': return 'citizen';
    case 'caseworker': case 'udk-caseworker': return 'caseworker';
    default: return 'other';
  }
}
