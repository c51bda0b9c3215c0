// Package portal serves the browser app (NemRefusion for senders, Mit
// Sygefravær for citizens, the caseworkers' inbox) from one origin together
// with the public APIs: the single-page app and its assets embedded in the
// binary, the JSON Schemas the forms are generated from (the same files the
// backend validates with), the app's configuration, and the one server-side
// step of the browser login: exchanging the authorization code (PKCE) at
// the issuer's token endpoint, so the browser never needs the issuer to
// answer cross-origin requests.
//
// The access token is kept by the browser (sessionStorage of the tab) and
// sent as a bearer token on every API call; the portal stores nothing.
package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/portal/web"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/schemas"
)

// Config is what the portal needs to know about the login.
type Config struct {
	// Issuer is the OIDC issuer the APIs trust (config.Base's OIDC_ISSUER);
	// the portal reads its discovery document for the authorization and
	// token endpoints.
	Issuer string `ignored:"true"`
	// ClientID is the browser app's public client (PKCE, no secret).
	ClientID string `envconfig:"PORTAL_CLIENT_ID" default:"nemrefusion-web"`
	// SigningMaxAge is how old a login may be for a signed submission
	// (AUTH_SIGNING_MAX_AGE); the app asks for a fresh login past it.
	SigningMaxAge time.Duration `envconfig:"AUTH_SIGNING_MAX_AGE" default:"5m"`
	// SessionWarning is how long before the token expires the app warns
	// that the session is about to end.
	SessionWarning time.Duration `envconfig:"PORTAL_SESSION_WARNING" default:"2m"`
}

// AppConfig is GET /config.json: what the browser app needs to log in.
type AppConfig struct {
	ClientID              string `json:"clientId"`
	AuthorizationEndpoint string `json:"authorizationEndpoint"`
	EndSessionEndpoint    string `json:"endSessionEndpoint,omitempty"`
	SigningMaxAgeSeconds  int    `json:"signingMaxAgeSeconds"`
	SessionWarningSeconds int    `json:"sessionWarningSeconds"`
}

// Handler serves the app. It is safe for concurrent use.
type Handler struct {
	cfg    Config
	log    *slog.Logger
	client *http.Client
	files  map[string]file
	index  file

	mu        sync.Mutex
	discovery *discovery

	once sync.Once
	mux  *http.ServeMux
}

type file struct {
	body        []byte
	etag        string
	contentType string
	cache       string
}

type discovery struct {
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	EndSessionEndpoint    string `json:"end_session_endpoint"`
}

// New reads the embedded app and schemas into memory (a few MB) and
// returns the handler.
func New(cfg Config, log *slog.Logger) (*Handler, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = "nemrefusion-web"
	}
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{cfg: cfg, log: log, client: &http.Client{Timeout: 10 * time.Second}, files: map[string]file{}}
	err := fs.WalkDir(web.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(web.FS, p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(p, "app/blankets/") && p != "app/blankets/index.json" {
			if b, err = fromRegistry(p, b); err != nil {
				return err
			}
		}
		cache := "no-cache"
		if strings.HasPrefix(p, "vendor/") {
			cache = "public, max-age=86400"
		}
		h.files["/"+p] = newFile(p, b, cache)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("portal: read app: %w", err)
	}
	ents, err := fs.Glob(schemas.FS, "*.json")
	if err != nil {
		return nil, fmt.Errorf("portal: schemas: %w", err)
	}
	for _, p := range ents {
		b, err := fs.ReadFile(schemas.FS, p)
		if err != nil {
			return nil, fmt.Errorf("portal: schema %s: %w", p, err)
		}
		f := newFile(p, b, "no-cache")
		f.contentType = "application/schema+json"
		h.files["/schemas/"+p] = f
	}
	idx, ok := h.files["/index.html"]
	if !ok {
		return nil, errors.New("portal: index.html missing")
	}
	h.index = idx
	return h, nil
}

// fromRegistry completes a form's hints (app/blankets/<name>.json: pages,
// labels, help) with what the blanket registry says about its type
// (events/registry.go), so the app offers each form to exactly the roles
// the accept step lets submit it ("roles", the senders), and its family
// ("family"). A form whose type
// is not a registered blanket, or that names roles itself, stops the
// portal at start.
func fromRegistry(p string, b []byte) ([]byte, error) {
	var hints map[string]any
	if err := json.Unmarshal(b, &hints); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	typ, _ := hints["type"].(string)
	bl, ok := events.BlanketOf(typ)
	if !ok {
		return nil, fmt.Errorf("%s: %q is not a registered blanket (events/registry.go)", p, typ)
	}
	for _, k := range []string{"roles", "family"} {
		if _, set := hints[k]; set {
			return nil, fmt.Errorf("%s: %s come from the registry, not the form", p, k)
		}
	}
	hints["roles"] = bl.Senders
	// The family (sickness, parental, subsidy): a case offers only the
	// follow-ups of its own family.
	hints["family"] = bl.Family
	return json.Marshal(hints)
}

func newFile(p string, b []byte, cache string) file {
	sum := sha256.Sum256(b)
	ct := mime.TypeByExtension(path.Ext(p))
	switch path.Ext(p) {
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".json":
		ct = "application/json"
	case ".woff2":
		ct = "font/woff2"
	case ".woff":
		ct = "font/woff"
	case ".svg":
		ct = "image/svg+xml"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	return file{body: b, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, contentType: ct, cache: cache}
}

// Register adds the portal's routes to mux: the configuration, the code
// exchange, the schemas, the assets, and every other GET as the app's
// index (the app routes in the browser). Unknown /api/ paths answer a JSON
// 404, never the app.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /config.json", h.config)
	mux.HandleFunc("POST /auth/token", h.token)
	noAPI := func(w http.ResponseWriter, _ *http.Request) {
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, "not-found", "Tjenesten findes ikke.", "The service does not exist.", nil))
	}
	mux.HandleFunc("GET /api/", noAPI)
	mux.HandleFunc("POST /api/", noAPI)
	mux.HandleFunc("GET /", h.serve)
}

// ServeHTTP serves the portal's routes alone (tests).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(func() {
		h.mux = http.NewServeMux()
		h.Register(h.mux)
	})
	h.mux.ServeHTTP(w, r)
}

// securityHeaders are set on every answer of the portal. The app runs no
// inline script or style, so the policy allows only the origin itself; the
// login form posts to the issuer.
func (h *Handler) securityHeaders(w http.ResponseWriter) {
	formAction := "'self'"
	if u, err := url.Parse(h.cfg.Issuer); err == nil && u.Host != "" {
		formAction += " " + u.Scheme + "://" + u.Host
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "+
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action "+formAction)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) {
	h.securityHeaders(w)
	f, ok := h.files[r.URL.Path]
	switch {
	case ok && r.URL.Path != "/index.html":
	case strings.HasPrefix(r.URL.Path, "/app/") || strings.HasPrefix(r.URL.Path, "/vendor/") || strings.HasPrefix(r.URL.Path, "/schemas/") || path.Ext(r.URL.Path) != "":
		// A missing asset is a 404, not the app: a wrong script path must
		// fail loudly.
		http.NotFound(w, r)
		return
	default:
		f = h.index
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", f.cache)
	w.Header().Set("ETag", f.etag)
	if match := r.Header.Get("If-None-Match"); match != "" && match == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// disco returns the issuer's endpoints, fetching the discovery document
// once (and again after a failure).
func (h *Handler) disco(ctx context.Context) (*discovery, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.discovery != nil {
		return h.discovery, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(h.cfg.Issuer, "/")+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("discovery request: %w", err)
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", h.cfg.Issuer, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery of %s: status %d", h.cfg.Issuer, res.StatusCode)
	}
	var d discovery
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&d); err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", h.cfg.Issuer, err)
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" {
		return nil, fmt.Errorf("discovery of %s: no authorization or token endpoint", h.cfg.Issuer)
	}
	h.discovery = &d
	return h.discovery, nil
}

func unavailable(err error) error {
	return runtime.Fail(runtime.KindUnavailable, "login-unavailable", "Login er midlertidigt utilgængeligt. Prøv igen om lidt.",
		"Login is temporarily unavailable. Please try again shortly.", err)
}

func (h *Handler) config(w http.ResponseWriter, r *http.Request) {
	h.securityHeaders(w)
	d, err := h.disco(r.Context())
	if err != nil {
		h.log.Warn("issuer discovery failed", "err", err.Error())
		runtime.WriteError(w, unavailable(err))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	runtime.WriteJSON(w, http.StatusOK, AppConfig{
		ClientID: h.cfg.ClientID, AuthorizationEndpoint: d.AuthorizationEndpoint, EndSessionEndpoint: d.EndSessionEndpoint,
		SigningMaxAgeSeconds: int(h.cfg.SigningMaxAge / time.Second), SessionWarningSeconds: int(h.cfg.SessionWarning / time.Second),
	})
}

// token exchanges an authorization code for tokens at the issuer, as the
// public client: the browser sends code, code_verifier and redirect_uri;
// the issuer checks them (PKCE). The answer is passed through unchanged and
// never logged.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	h.securityHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		runtime.WriteError(w, runtime.Fail(runtime.KindInvalid, "form", "Forespørgslen kunne ikke læses.", "The request could not be read.", err))
		return
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {h.cfg.ClientID},
		"code":          {r.PostForm.Get("code")},
		"code_verifier": {r.PostForm.Get("code_verifier")},
		"redirect_uri":  {r.PostForm.Get("redirect_uri")},
	}
	d, err := h.disco(r.Context())
	if err != nil {
		h.log.Warn("issuer discovery failed", "err", err.Error())
		runtime.WriteError(w, unavailable(err))
		return
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, d.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		runtime.WriteError(w, unavailable(err))
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := h.client.Do(req)
	if err != nil {
		h.log.Warn("token exchange failed", "err", err.Error())
		runtime.WriteError(w, unavailable(err))
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		runtime.WriteError(w, unavailable(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(body)
}
