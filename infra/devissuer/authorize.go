package devissuer

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// loginRequest is an authorization request waiting for the login form.
type loginRequest struct {
	clientID, redirectURI, challenge, state, nonce string
	// lang is the login page's language ("da" or "en", from ui_locales).
	lang    string
	expires time.Time
}

// codeGrant is an issued authorization code.
type codeGrant struct {
	clientID, redirectURI, challenge, nonce string
	persona                                 Persona
	authTime, expires                       time.Time
}

const (
	loginTTL = 10 * time.Minute
	codeTTL  = 2 * time.Minute
)

// locale is the login page's language from OIDC's ui_locales (OpenID
// Connect Core 1.0 § 3.1.2.1: space-separated BCP 47 tags, preferred
// first): the first Danish or English tag, else Danish.
func locale(uiLocales string) string {
	for _, tag := range strings.Fields(uiLocales) {
		if base, _, _ := strings.Cut(strings.ToLower(tag), "-"); base == "da" || base == "en" {
			return base
		}
	}
	return "da"
}

// pageText is the login page's text in one language.
type pageText struct {
	Lang, Title, Heading, Warning, WarningText, Legend, Login, Cancel, Switch, SwitchLabel string
}

var pageTexts = map[string]pageText{
	"da": {Lang: "da", Title: "Log ind – NemRefusion (udvikling)", Heading: "Log ind på NemRefusion",
		Warning: "Kun til udvikling.", WarningText: "Dette er ikke MitID. Du vælger en testperson fra det syntetiske Danmark; ingen oplysninger er ægte.",
		Legend: "Vælg en testperson", Login: "Log ind", Cancel: "Annullér", Switch: "English", SwitchLabel: "Read this page in English"},
	"en": {Lang: "en", Title: "Log in – NemRefusion (development)", Heading: "Log in to NemRefusion",
		Warning: "For development only.", WarningText: "This is not MitID. You choose a test person from the synthetic Denmark; no information is real.",
		Legend: "Choose a test person", Login: "Log in", Cancel: "Cancel", Switch: "Dansk", SwitchLabel: "Læs siden på dansk"},
}

// authorizePage checks an authorization request and shows the login page
// in the language ui_locales asks for, with a switch to the other one.
// Problems with the client or redirect URI are shown, never redirected.
func (i *Issuer) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	lang := locale(q.Get("ui_locales"))
	c, ok := i.clients()[q.Get("client_id")]
	if !ok || !c.browser {
		i.errorPage(w, http.StatusBadRequest, lang, "Ukendt klient (client_id).", "Unknown client (client_id).")
		return
	}
	redirect := q.Get("redirect_uri")
	if !i.redirectAllowed(redirect) {
		i.errorPage(w, http.StatusBadRequest, lang, "redirect_uri er ikke tilladt: brug en adresse på localhost eller på udstederens egen vært.",
			"redirect_uri is not allowed: use an address on localhost or on the issuer's own host.")
		return
	}
	fail := func(code, desc string) {
		v := url.Values{"error": {code}, "error_description": {desc}, "iss": {i.cfg.Issuer}}
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		http.Redirect(w, r, withQuery(redirect, v), http.StatusSeeOther)
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", "only response_type=code")
		return
	}
	ch := q.Get("code_challenge")
	if q.Get("code_challenge_method") != "S256" || len(ch) < 43 || len(ch) > 128 {
		fail("invalid_request", "PKCE is required: code_challenge (43-128 chars) with code_challenge_method=S256")
		return
	}
	id := randomID()
	now := i.cfg.Now()
	i.mu.Lock()
	i.sweep(now)
	i.pending[id] = loginRequest{clientID: c.id, redirectURI: redirect, challenge: ch, state: q.Get("state"),
		nonce: q.Get("nonce"), lang: lang, expires: now.Add(loginTTL)}
	i.mu.Unlock()
	type choice struct{ Key, Label string }
	var persons []choice
	for _, p := range Personas() {
		if !p.Machine {
			label := p.Label
			if lang == "en" {
				label = p.LabelEn
			}
			persons = append(persons, choice{p.Key, label})
		}
	}
	other := url.Values{}
	for k, vs := range q {
		other[k] = vs
	}
	other.Set("ui_locales", map[string]string{"da": "en", "en": "da"}[lang])
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "DENY")
	_ = loginTemplate.Execute(w, map[string]any{"Action": i.base + "/authorize", "Login": id, "Personas": persons,
		"T": pageTexts[lang], "Other": i.base + "/authorize?" + other.Encode()})
}

// authorizeLogin takes the login form: it issues a code for the chosen
// persona and sends the browser back to the client.
func (i *Issuer) authorizeLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		i.errorPage(w, http.StatusBadRequest, "da", "Formularen kan ikke læses.", "The form cannot be read.")
		return
	}
	now := i.cfg.Now()
	i.mu.Lock()
	lr, ok := i.pending[r.PostForm.Get("login")]
	delete(i.pending, r.PostForm.Get("login"))
	i.mu.Unlock()
	if !ok || now.After(lr.expires) {
		i.errorPage(w, http.StatusBadRequest, locale(r.PostForm.Get("ui_locales")), "Login-forespørgslen er udløbet eller allerede brugt. Start forfra fra tjenesten.",
			"The login request has expired or has already been used. Start again from the service.")
		return
	}
	v := url.Values{"iss": {i.cfg.Issuer}}
	if lr.state != "" {
		v.Set("state", lr.state)
	}
	if r.PostForm.Has("cancel") {
		v.Set("error", "access_denied")
		http.Redirect(w, r, withQuery(lr.redirectURI, v), http.StatusSeeOther)
		return
	}
	p, ok := PersonaByKey(r.PostForm.Get("persona"))
	if !ok || p.Machine {
		i.errorPage(w, http.StatusBadRequest, lr.lang, "Vælg en testperson.", "Choose a test person.")
		return
	}
	code := randomID()
	i.mu.Lock()
	i.codes[code] = codeGrant{clientID: lr.clientID, redirectURI: lr.redirectURI, challenge: lr.challenge, nonce: lr.nonce,
		persona: p, authTime: now, expires: now.Add(codeTTL)}
	i.mu.Unlock()
	v.Set("code", code)
	http.Redirect(w, r, withQuery(lr.redirectURI, v), http.StatusSeeOther)
}

// sweep drops expired login requests and codes; i.mu is held.
func (i *Issuer) sweep(now time.Time) {
	for k, v := range i.pending {
		if now.After(v.expires) {
			delete(i.pending, k)
		}
	}
	for k, v := range i.codes {
		if now.After(v.expires) {
			delete(i.codes, k)
		}
	}
}

// redirectAllowed admits http(s) redirect URIs on a loopback host (any
// port, as RFC 8252 allows for native apps) or on the issuer's own host.
func (i *Issuer) redirectAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || u.User != nil {
		return false
	}
	iss, _ := url.Parse(i.cfg.Issuer)
	if u.Host == iss.Host {
		return true
	}
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func withQuery(raw string, v url.Values) string {
	u, _ := url.Parse(raw)
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// errorPage shows a problem in lang ("da" or "en"), with the Danish text da
// or the English text en.
func (i *Issuer) errorPage(w http.ResponseWriter, status int, lang, da, en string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	page := map[string]string{"Lang": "da", "Title": "Fejl – NemRefusion (udvikling)", "Heading": "Login kan ikke gennemføres", "Message": da}
	if lang == "en" {
		page = map[string]string{"Lang": "en", "Title": "Error – NemRefusion (development)", "Heading": "Login cannot be completed", "Message": en}
	}
	_ = errorTemplate.Execute(w, page)
}

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="{{.T.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.T.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
.warning{border-left:6px solid #b35600;background:#fff4e5;padding:.5rem 1rem}
fieldset{border:1px solid #747474;padding:1rem}
legend{font-weight:bold;padding:0 .25rem}
label{display:block;padding:.4rem 0}
button{font-size:1rem;padding:.6rem 1.2rem;margin:1rem .5rem 0 0}
:focus{outline:3px solid #0059b3;outline-offset:2px}
</style>
</head>
<body>
<main>
<p><a id="lang-switch" href="{{.Other}}" lang="{{if eq .T.Lang "da"}}en{{else}}da{{end}}" hreflang="{{if eq .T.Lang "da"}}en{{else}}da{{end}}" aria-label="{{.T.SwitchLabel}}">{{.T.Switch}}</a></p>
<h1>{{.T.Heading}}</h1>
<p class="warning" role="note"><strong>{{.T.Warning}}</strong> {{.T.WarningText}}</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="login" value="{{.Login}}">
<input type="hidden" name="ui_locales" value="{{.T.Lang}}">
<fieldset>
<legend>{{.T.Legend}}</legend>
{{range $n, $p := .Personas}}<label for="persona-{{$p.Key}}"><input type="radio" id="persona-{{$p.Key}}" name="persona" value="{{$p.Key}}" required{{if eq $n 0}} checked{{end}}> {{$p.Label}}</label>
{{end}}</fieldset>
<button type="submit">{{.T.Login}}</button>
<button type="submit" name="cancel" value="1" formnovalidate>{{.T.Cancel}}</button>
</form>
</main>
</body>
</html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body><main><h1>{{.Heading}}</h1><p role="alert">{{.Message}}</p></main></body></html>
`))
