package auth_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/ledger"
)

// testIssuer serves a real development issuer at <server>/dev-issuer.
func testIssuer(t *testing.T) (*devissuer.Issuer, *httptest.Server) {
	t.Helper()
	var h atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Load().(http.Handler).ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	iss, err := devissuer.New(devissuer.Config{Issuer: srv.URL + "/dev-issuer"})
	if err != nil {
		t.Fatal(err)
	}
	h.Store(http.Handler(iss))
	return iss, srv
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// testDB opens the test database with the ledger schema.
func testDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := ledger.Migrate(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}
