package portal

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/portal/web"
	"nemrefusion.dk/schemas"
)

// issuer is a stand-in OIDC issuer: discovery and a token endpoint that
// echoes what it was sent.
func issuer(t *testing.T) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/iss/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]string{"issuer": srv.URL + "/iss",
				"authorization_endpoint": srv.URL + "/iss/authorize", "token_endpoint": srv.URL + "/iss/token"})
		case "/iss/token":
			_ = r.ParseForm()
			if r.PostForm.Get("code") != "good" {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"access_token": "tok", "grant": r.PostForm.Get("grant_type"),
				"client": r.PostForm.Get("client_id"), "verifier": r.PostForm.Get("code_verifier"), "redirect": r.PostForm.Get("redirect_uri")})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newHandler(t *testing.T, iss string) *Handler {
	t.Helper()
	h, err := New(Config{Issuer: iss, ClientID: "nemrefusion-web", SigningMaxAge: 300e9, SessionWarning: 120e9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestServesAppAssetsSchemasAndAPIFallback(t *testing.T) {
	t.Parallel()
	h := newHandler(t, "http://127.0.0.1:1/iss")
	cases := []struct {
		name, path string
		status     int
		ctype      string
		contains   string
	}{
		{"start page", "/", 200, "text/html", `<div id="app">`},
		{"an app route is the index", "/nemrefusion/ny/arbejdsgiver/2", 200, "text/html", `src="/app/main.js"`},
		{"a module", "/app/main.js", 200, "text/javascript", "import"},
		{"a blanket's hints", "/app/blankets/employer.json", 200, "application/json", `"pages"`},
		{"the DKFDS Virk theme", "/vendor/dkfds/css/dkfds-virkdk.min.css", 200, "text/css", ".step-indicator"},
		{"the DKFDS Borger.dk theme", "/vendor/dkfds/css/dkfds-borgerdk.min.css", 200, "text/css", ".header"},
		{"a schema the backend validates with", "/schemas/sickness.employer.reported.v1.json", 200, "application/schema+json", `"$id"`},
		{"a missing asset is 404, not the app", "/app/nope.js", 404, "", ""},
		{"a missing schema is 404", "/schemas/nope.json", 404, "", ""},
		{"an unknown API is a JSON 404", "/api/v1/nope", 404, "application/json", `"not-found"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.ctype) {
				t.Errorf("content type %q, want %q", rec.Header().Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(rec.Body.String(), tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
			if tc.status == 200 && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no content security policy: %q", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
	// A repeated fetch with the ETag is answered 304.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app/main.js", nil))
	req := httptest.NewRequest(http.MethodGet, "/app/main.js", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	h.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", rec2.Code)
	}
}

func TestConfigAndCodeExchange(t *testing.T) {
	t.Parallel()
	iss := issuer(t)
	h := newHandler(t, iss.URL+"/iss")

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config.json", nil))
	var cfg AppConfig
	if err := json.Unmarshal(rec.Body.Bytes(), &cfg); err != nil || rec.Code != 200 {
		t.Fatalf("config: %d %s", rec.Code, rec.Body)
	}
	if cfg.AuthorizationEndpoint != iss.URL+"/iss/authorize" || cfg.ClientID != "nemrefusion-web" || cfg.SigningMaxAgeSeconds != 300 || cfg.SessionWarningSeconds != 120 {
		t.Errorf("config %+v", cfg)
	}

	cases := []struct {
		name   string
		code   string
		status int
	}{
		{"a good code is exchanged as the public client", "good", 200},
		{"the issuer's refusal is passed through", "bad", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"code": {tc.code}, "code_verifier": {"v123"}, "redirect_uri": {"http://127.0.0.1/callback"}, "grant_type": {"client_credentials"}}
			req := httptest.NewRequest(http.MethodPost, "/auth/token", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if tc.status != 200 {
				return
			}
			var got map[string]string
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			// The grant is always authorization_code for the configured client, whatever the browser sends.
			want := map[string]string{"access_token": "tok", "grant": "authorization_code", "client": "nemrefusion-web", "verifier": "v123", "redirect": "http://127.0.0.1/callback"}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("tokens must not be cached")
			}
		})
	}
}

func TestIssuerDownIs503(t *testing.T) {
	t.Parallel()
	h := newHandler(t, "http://127.0.0.1:1/iss")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config.json", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
}

type hints struct {
	Type    string            `json:"type"`
	Schema  string            `json:"schema"`
	Slug    string            `json:"slug"`
	Roles   []string          `json:"roles"`
	Family  string            `json:"family"`
	Title   map[string]string `json:"title"`
	Context map[string]string `json:"context"`
	Pages   []struct {
		Slug   string            `json:"slug"`
		Title  map[string]string `json:"title"`
		Fields []string          `json:"fields"`
	} `json:"pages"`
	Fields map[string]struct {
		Label      map[string]string            `json:"label"`
		Hint       map[string]string            `json:"hint"`
		Options    map[string]map[string]string `json:"options"`
		RequiredIf map[string]any               `json:"requiredIf"`
		Items      []string                     `json:"items"`
		Item       map[string]string            `json:"item"`
	} `json:"fields"`
}

type node struct {
	Type       any              `json:"type"`
	Required   []string         `json:"required"`
	Properties map[string]*node `json:"properties"`
	Enum       []string         `json:"enum"`
	ID         string           `json:"$id"`
	Items      *node            `json:"items"`
}

// requiredPaths lists every path a valid instance must have (required
// properties below required objects).
func requiredPaths(n *node, prefix string) []string {
	var out []string
	for _, r := range n.Required {
		p := prefix + r
		child := n.Properties[r]
		if child != nil && child.Properties != nil {
			out = append(out, requiredPaths(child, p+".")...)
		} else {
			out = append(out, p)
		}
	}
	return out
}

func lookup(n *node, path string) *node {
	for _, part := range strings.Split(path, ".") {
		if n == nil || n.Properties == nil {
			return nil
		}
		n = n.Properties[part]
	}
	return n
}

// Every blanket the app offers asks, from the schema the backend validates
// with, every required field (or fills it from the login), names only
// fields the schema has, and has its words in Danish and English.
// A form for a type outside the registry, or one naming its own roles,
// stops the portal at start.
func TestFormsTakeTheirRolesFromTheRegistry(t *testing.T) {
	t.Parallel()
	for name, form := range map[string]string{
		"unregistered": `{"type":"dk.nemrefusion.nothing.v1"}`,
		"own roles":    `{"type":"` + events.SicknessEmployerReported + `","roles":["citizen"]}`,
		"own family":   `{"type":"` + events.SicknessEmployerReported + `","family":"parental"}`,
	} {
		if _, err := fromRegistry("app/blankets/x.json", []byte(form)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestBlanketHintsCoverTheirSchemas(t *testing.T) {
	t.Parallel()
	var names []string
	b, err := fs.ReadFile(web.FS, "app/blankets/index.json")
	if err != nil || json.Unmarshal(b, &names) != nil || len(names) == 0 {
		t.Fatalf("index.json: %v", err)
	}
	served := newHandler(t, "http://127.0.0.1:1/iss")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var h hints
			rec := httptest.NewRecorder()
			served.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/app/blankets/"+name+".json", nil))
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &h) != nil {
				t.Fatalf("GET %s: %d", name, rec.Code)
			}
			// The roles the app offers the form to are the registry's
			// senders: the accept step refuses everyone else.
			if !slices.Equal(h.Roles, events.BlanketSenders(h.Type)) {
				t.Errorf("roles %v; the registry's senders are %v", h.Roles, events.BlanketSenders(h.Type))
			}
			// A case offers the follow-ups of its family only.
			if bl, _ := events.BlanketOf(h.Type); h.Family == "" || h.Family != bl.Family {
				t.Errorf("family %q; the registry's is %q", h.Family, bl.Family)
			}
			sb, err := fs.ReadFile(schemas.FS, h.Schema)
			if err != nil {
				t.Fatalf("schema %s: %v", h.Schema, err)
			}
			var s node
			if err := json.Unmarshal(sb, &s); err != nil {
				t.Fatal(err)
			}
			if s.ID != "https://schemas.nemrefusion.dk/"+strings.TrimPrefix(h.Type, "dk.nemrefusion.")+".json" {
				t.Errorf("type %s does not match schema %s", h.Type, s.ID)
			}
			asked := map[string]bool{}
			for path := range h.Context {
				if lookup(&s, path) == nil {
					t.Errorf("context names %q, which the schema lacks", path)
				}
				asked[path] = true
			}
			if h.Title["da"] == "" || h.Title["en"] == "" || h.Slug == "" || len(h.Roles) == 0 {
				t.Errorf("title, slug and roles are required: %+v", h)
			}
			for _, p := range h.Pages {
				if len(p.Fields) == 0 || p.Title["da"] == "" || p.Title["en"] == "" {
					t.Errorf("page %q needs fields and a title in both languages", p.Slug)
				}
				for _, f := range p.Fields {
					n := lookup(&s, f)
					if n == nil {
						t.Errorf("page %q asks %q, which the schema lacks", p.Slug, f)
						continue
					}
					if asked[f] {
						t.Errorf("%q is asked twice", f)
					}
					asked[f] = true
					fh := h.Fields[f]
					if fh.Label["da"] == "" || fh.Label["en"] == "" {
						t.Errorf("%q needs a label in Danish and English", f)
					}
					if (fh.Hint != nil) && (fh.Hint["da"] == "" || fh.Hint["en"] == "") {
						t.Errorf("%q's hint needs both languages", f)
					}
					for _, o := range n.Enum {
						if fh.Options[o]["da"] == "" || fh.Options[o]["en"] == "" {
							t.Errorf("%q's option %q needs words in both languages", f, o)
						}
					}
					// A list of rows (form.js): its row's name and every question of
					// a row in both languages, the row's required ones asked.
					if it := n.Items; it != nil && it.Properties != nil {
						if fh.Item["da"] == "" || fh.Item["en"] == "" {
							t.Errorf("%q needs its row's name (item) in Danish and English", f)
						}
						names := fh.Items
						if names == nil {
							for name := range it.Properties {
								names = append(names, name)
							}
						}
						for _, r := range it.Required {
							if !slices.Contains(names, r) {
								t.Errorf("%q's rows do not ask the required %q", f, r)
							}
						}
						for _, name := range names {
							sub, ih := it.Properties[name], h.Fields[f+"."+name]
							if sub == nil {
								t.Errorf("%q's rows ask %q, which the schema lacks", f, name)
								continue
							}
							if ih.Label["da"] == "" || ih.Label["en"] == "" {
								t.Errorf("%q needs a label in Danish and English", f+"."+name)
							}
							for _, o := range sub.Enum {
								if ih.Options[o]["da"] == "" || ih.Options[o]["en"] == "" {
									t.Errorf("%q's option %q needs words in both languages", f+"."+name, o)
								}
							}
						}
					}
					for other := range fh.RequiredIf {
						if !slices.ContainsFunc(h.Pages, func(pg struct {
							Slug   string            `json:"slug"`
							Title  map[string]string `json:"title"`
							Fields []string          `json:"fields"`
						}) bool {
							return slices.Contains(pg.Fields, other)
						}) {
							t.Errorf("%q is required if %q, which is not asked", f, other)
						}
					}
				}
			}
			for _, r := range requiredPaths(&s, "") {
				if !asked[r] {
					t.Errorf("required field %q is neither asked nor filled from the login", r)
				}
			}
		})
	}
}

// Every text of the app exists in Danish and in English.
func TestTextsInBothLanguages(t *testing.T) {
	t.Parallel()
	b, err := fs.ReadFile(web.FS, "app/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	da, en, ok := strings.Cut(src, "\n  en: {")
	if !ok {
		t.Fatal("no English block")
	}
	key := regexp.MustCompile(`(?m)^\s+'([a-zA-Z0-9.]+)':`)
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, k := range key.FindAllStringSubmatch(s, -1) {
			m[k[1]] = true
		}
		return m
	}
	d, e := set(da), set(en)
	if len(d) < 50 {
		t.Fatalf("only %d Danish texts found", len(d))
	}
	for k := range d {
		if !e[k] {
			t.Errorf("%q has no English text", k)
		}
	}
	for k := range e {
		if !d[k] {
			t.Errorf("%q has no Danish text", k)
		}
	}
	// Every key the modules use exists (t(key) and the counts' tn(key, n),
	// whose key is the plural form and key.one the singular).
	used := regexp.MustCompile(`\btn?\('([a-zA-Z0-9.]+)'\s*[,)]`)
	_ = fs.WalkDir(web.FS, "app", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, _ := fs.ReadFile(web.FS, p)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !d[m[1]] {
				t.Errorf("%s uses the unknown text %q", p, m[1])
			}
		}
		return nil
	})
}

// The icon sprite is inlined in every page: no element id of the app may
// be one of its symbol ids (a duplicate id breaks labels and lookups).
func TestAppIDsDoNotCollideWithIconIDs(t *testing.T) {
	t.Parallel()
	sprite, err := fs.ReadFile(web.FS, "vendor/dkfds/img/all-svg-icons.svg")
	if err != nil {
		t.Fatal(err)
	}
	icons := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(string(sprite), -1) {
		icons[m[1]] = true
	}
	idAttr := regexp.MustCompile(`id="([a-zA-Z0-9-]+)"`)
	_ = fs.WalkDir(web.FS, "app", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, _ := fs.ReadFile(web.FS, p)
		for _, m := range idAttr.FindAllStringSubmatch(string(b), -1) {
			if icons[m[1]] {
				t.Errorf("%s uses id %q, which an icon of the sprite has", p, m[1])
			}
		}
		return nil
	})
}
