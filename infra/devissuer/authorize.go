package devissuer

import (
	"html/template"
	"net"
	"net/http"
	"net/url"
	"time"
)

// loginRequest is an authorization request waiting for the login form.
type loginRequest struct {
	clientID, redirectURI, challenge, state, nonce string
	expires                                        time.Time
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

// authorizePage checks an authorization request and shows the login page.
// Problems with the client or redirect URI are shown, never redirected.
func (i *Issuer) authorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, ok := i.clients()[q.Get("client_id")]
	if !ok || !c.browser {
		i.errorPage(w, http.StatusBadRequest, "Ukendt klient (client_id).")
		return
	}
	redirect := q.Get("redirect_uri")
	if !i.redirectAllowed(redirect) {
		i.errorPage(w, http.StatusBadRequest, "redirect_uri er ikke tilladt: brug en adresse på localhost eller på udstederens egen vært.")
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
		nonce: q.Get("nonce"), expires: now.Add(loginTTL)}
	i.mu.Unlock()
	var persons []Persona
	for _, p := range Personas() {
		if !p.Machine {
			persons = append(persons, p)
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Frame-Options", "DENY")
	_ = loginTemplate.Execute(w, map[string]any{"Action": i.base + "/authorize", "Login": id, "Personas": persons})
}

// authorizeLogin takes the login form: it issues a code for the chosen
// persona and sends the browser back to the client.
func (i *Issuer) authorizeLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		i.errorPage(w, http.StatusBadRequest, "Formularen kan ikke læses.")
		return
	}
	now := i.cfg.Now()
	i.mu.Lock()
	lr, ok := i.pending[r.PostForm.Get("login")]
	delete(i.pending, r.PostForm.Get("login"))
	i.mu.Unlock()
	if !ok || now.After(lr.expires) {
		i.errorPage(w, http.StatusBadRequest, "Login-forespørgslen er udløbet eller allerede brugt. Start forfra fra tjenesten.")
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
		i.errorPage(w, http.StatusBadRequest, "Vælg en testperson.")
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

func (i *Issuer) errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, msg)
}

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Log ind – NemRefusion (udvikling)</title>
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
<h1>Log ind på NemRefusion</h1>
<p class="warning" role="note"><strong>Kun til udvikling.</strong> Dette er ikke MitID. Du vælger en testperson fra det syntetiske Danmark; ingen oplysninger er ægte.</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="login" value="{{.Login}}">
<fieldset>
<legend>Vælg en testperson</legend>
{{range $n, $p := .Personas}}<label for="persona-{{$p.Key}}"><input type="radio" id="persona-{{$p.Key}}" name="persona" value="{{$p.Key}}" required{{if eq $n 0}} checked{{end}}> {{$p.Label}}</label>
{{end}}</fieldset>
<button type="submit">Log ind</button>
<button type="submit" name="cancel" value="1" formnovalidate>Annullér</button>
</form>
</main>
</body>
</html>
`))

var errorTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Fejl – NemRefusion (udvikling)</title></head>
<body><main><h1>Login kan ikke gennemføres</h1><p role="alert">{{.}}</p></main></body></html>
`))
