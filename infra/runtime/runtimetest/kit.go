// Package runtimetest starts a function on the real runtime for tests: a
// runtime.Service on a fresh Postgres schema (DATABASE_URL), a Sink standing
// in for the broker ingress, a development issuer for tokens, one HTTP
// server for both, and helpers to post events, call routes with a token and
// read the outbox and the ledger. Test files import it; nothing else should.
package runtimetest

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/pg"
	"nemrefusion.dk/infra/runtime"
)

// Audience is the audience of the tokens the kit's issuer mints.
const Audience = "nemrefusion"

// Options configure Start.
type Options struct {
	// Name prefixes the function's name and schema; Start appends a random
	// number so parallel tests and runs never share a schema.
	Name string
	// Migrations are the function's own goose SQL files (may be nil).
	Migrations fs.FS
	// Base is the configuration to start from; nil loads it from the
	// environment (config.Load). Start sets its Sink to the kit's Sink.
	Base *config.Base
	// Logger overrides the default: the function's log at info level,
	// shown when the test fails.
	Logger *slog.Logger
}

// Kit is one function under test.
type Kit struct {
	// Svc is the function's runtime; register handlers and routes on it.
	Svc *runtime.Service
	// Sink records what the function publishes.
	Sink *Sink
	// Server serves Svc.Mux at "/" and the development issuer at
	// "/dev-issuer/".
	Server *httptest.Server
	// Base is the configuration the function runs with: DatabaseURL is
	// the application role's, MigrationDatabaseURL the owner's.
	Base config.Base
	// AdminURL is the database URL the kit was given (the superuser's in
	// the local stack), for fixtures the application role may not make.
	AdminURL string

	issuerOnce sync.Once
	issuer     *devissuer.Issuer
	issuerErr  error
}

// Start runs a function named o.Name on a fresh schema of the real Postgres
// and drops the schema when the test ends. It fails the test when Postgres
// cannot be reached.
func Start(t testing.TB, o Options) *Kit {
	t.Helper()
	k := &Kit{Sink: &Sink{}}
	if o.Base != nil {
		k.Base = *o.Base
	} else if err := config.Load(&k.Base); err != nil {
		t.Fatal(err)
	}
	sinkSrv := httptest.NewServer(k.Sink)
	t.Cleanup(sinkSrv.Close)
	k.Base.Sink = sinkSrv.URL
	// The function runs as it does in the stack: migrations as the owner
	// role, everything else as the application role (which owns nothing
	// and may only read and append to the ledger).
	k.AdminURL = k.Base.DatabaseURL
	if k.Base.MigrationDatabaseURL == "" {
		roles, err := ensureRoles(k.AdminURL)
		if err != nil {
			t.Fatalf("database roles (is Postgres up? source .data/stack.env): %v", err)
		}
		k.Base.DatabaseURL, k.Base.MigrationDatabaseURL = roles.AppURL, roles.OwnerURL
	}
	if k.Base.EventsIssuer == "" {
		TrustTestBroker(t, &k.Base) // Post signs as the broker does
	}

	name := fmt.Sprintf("%s_t%d", o.Name, rand.Uint32())
	log := o.Logger
	var logs *logBuffer
	if log == nil {
		logs = &logBuffer{}
		log = runtime.NewLogger(logs, slog.LevelInfo, name)
	}
	svc, err := runtime.New(context.Background(), runtime.Options{Name: name, Base: k.Base, Migrations: o.Migrations, Logger: log})
	if err != nil {
		t.Fatalf("runtime %s (is Postgres up? source .data/stack.env): %v", name, err)
	}
	k.Svc = svc
	t.Cleanup(func() {
		svc.DB.Close()
		if admin, err := pgx.Connect(context.Background(), k.AdminURL); err == nil {
			_, _ = admin.Exec(context.Background(), "DROP SCHEMA "+name+" CASCADE")
			_ = admin.Close(context.Background())
		}
		if logs != nil && t.Failed() {
			t.Logf("log of %s:\n%s", name, logs)
		}
	})

	mux := http.NewServeMux()
	mux.HandleFunc("/dev-issuer/", func(w http.ResponseWriter, r *http.Request) {
		iss, err := k.lazyIssuer()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		iss.ServeHTTP(w, r)
	})
	mux.Handle("/", svc.Handler())
	k.Server = httptest.NewServer(mux)
	t.Cleanup(k.Server.Close)
	return k
}

var (
	rolesMu   sync.Mutex
	rolesDone = map[string]pg.Roles{}
)

// ensureRoles runs pg.EnsureRoles once per process and database URL.
func ensureRoles(adminURL string) (pg.Roles, error) {
	rolesMu.Lock()
	defer rolesMu.Unlock()
	if r, ok := rolesDone[adminURL]; ok {
		return r, nil
	}
	r, err := pg.EnsureRoles(context.Background(), adminURL)
	if err != nil {
		return r, err
	}
	rolesDone[adminURL] = r
	return r, nil
}

// URL is the function's origin.
func (k *Kit) URL() string { return k.Server.URL }

// Issuer returns the development issuer at URL()/dev-issuer, made on first
// use (it generates a signing key).
func (k *Kit) Issuer(t testing.TB) *devissuer.Issuer {
	t.Helper()
	iss, err := k.lazyIssuer()
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func (k *Kit) lazyIssuer() (*devissuer.Issuer, error) {
	k.issuerOnce.Do(func() {
		k.issuer, k.issuerErr = devissuer.New(devissuer.Config{Issuer: k.Server.URL + "/dev-issuer", Audience: Audience})
	})
	return k.issuer, k.issuerErr
}

// Verifier returns a new verifier of the kit issuer's tokens; set its Log
// and Ledger as the function's main.go does.
func (k *Kit) Verifier(t testing.TB) *auth.Verifier {
	t.Helper()
	return auth.NewVerifier(k.Issuer(t).URL(), Audience)
}

// Token mints an access token for c.
func (k *Kit) Token(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := k.Issuer(t).Mint(c, devissuer.MintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// PersonaToken mints an access token for the development persona key.
func (k *Kit) PersonaToken(t testing.TB, key string) string {
	t.Helper()
	tok, err := k.Issuer(t).PersonaToken(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
