package intake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/functions/intake/intake"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/schemas"
)

// fuzzIntake is intake on a database of its own (the ledger is append-only,
// so fuzzed submissions must not pile up in the shared test database), with
// the development issuer and a sink that accepts what the outbox sends.
type fuzzIntake struct {
	srv    *httptest.Server
	svc    *runtime.Service
	front  *accept.Front
	issuer *devissuer.Issuer
}

func startIntake(t testing.TB) *fuzzIntake {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base.DatabaseURL)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	// Fuzzing workers are stopped without their cleanups: drop what earlier
	// runs left behind (named with their start time) before making our own.
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'nr_fuzz_intake_%'`)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range stale {
		var started int64
		if _, err := fmt.Sscanf(name, "nr_fuzz_intake_%d_", &started); err == nil && time.Since(time.Unix(started, 0)) > 15*time.Minute {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
	}
	dbName := fmt.Sprintf("nr_fuzz_intake_%d_%d", time.Now().Unix(), rand.Uint32())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+dbName); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+dbName+" WITH (FORCE)")
		admin.Close(context.Background())
	})
	u, err := url.Parse(base.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + dbName
	base.DatabaseURL = u.String()

	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(sink.Close)
	base.Sink = sink.URL

	f := &fuzzIntake{}
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	if f.issuer, err = devissuer.New(devissuer.Config{Issuer: f.srv.URL + "/dev-issuer"}); err != nil {
		t.Fatal(err)
	}
	f.svc, err = runtime.New(ctx, runtime.Options{Name: "intake", Base: base, Migrations: intake.Migrations(),
		Logger: runtime.NewLogger(io.Discard, 0, "intake")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.svc.DB.Close)
	v := auth.NewVerifier(f.issuer.URL(), "nemrefusion")
	v.Log = f.svc.Log
	if f.front, err = accept.New(ctx, f.svc, accept.Options{SigningMaxAge: 5 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	intake.Register(f.svc, v, f.front)
	mux.Handle("/dev-issuer/", f.issuer)
	mux.Handle("/", f.svc.Mux)
	return f
}

func (f *fuzzIntake) submissions(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.svc.DB.QueryRow(context.Background(), "SELECT count(*) FROM "+f.front.Schema()+".submissions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// FuzzSubmit posts fuzzed requests (content type, CloudEvents headers in
// binary mode, body) with a fresh employer token to intake's real handler on
// a real database: the answer is 202 with a receipt, after which exactly
// one submission is stored (none for a repeat of the same event), or a 4xx
// problem in Danish and English, after which nothing is stored. Never a
// 5xx: the broker would retry it and the sender would be told to try again.
func FuzzSubmit(f *testing.F) {
	employer, _ := devissuer.PersonaByKey(devissuer.PersonaEmployer)
	probe := `{"specversion":"1.0","type":"dk.nemrefusion.system.probe.requested.v1","source":"/fuzz","id":"p-1","partitionkey":"fuzz-s-1","datacontenttype":"application/json","data":{"note":"x"}}`
	f.Add("application/cloudevents+json", "", []byte(probe))
	f.Add("application/json", "Ce-Specversion: 1.0\nCe-Type: dk.nemrefusion.system.probe.requested.v1\nCe-Source: /fuzz\nCe-Id: b-1", []byte(`{"note":"x"}`))
	f.Add("application/cloudevents+json", "", []byte(strings.Replace(probe, "/fuzz", "", 1)))
	f.Add("application/cloudevents+json", "", []byte(strings.Replace(probe, `"partitionkey":"fuzz-s-1"`, `"partitionkey":"ledger-checkpoints"`, 1)))
	f.Add("application/cloudevents+json", "", []byte(strings.Replace(probe, "probe.requested", "probe.answered", 1)))
	f.Add("application/cloudevents+json", "", []byte(strings.Replace(probe, "system.probe", "nothing.known", 1)))
	f.Add("text/plain", "", []byte(probe))
	f.Add("application/cloudevents+json", "", []byte(`{"specversion":"1.0","data":`+strings.Repeat("[", 100000)+`}`))
	f.Add("application/cloudevents+json", "", append([]byte(probe[:len(probe)-1]+`,"pad":"`), append(bytes.Repeat([]byte("x"), 1<<20), '"', '}')...))
	files, _ := fs.Glob(schemas.FS, "examples/*.json")
	for _, file := range files {
		ex, _ := fs.ReadFile(schemas.FS, file)
		ex = bytes.ReplaceAll(ex, []byte(`"30000005"`), []byte(`"`+employer.Claims.CVR+`"`))
		typ := "dk.nemrefusion." + strings.TrimSuffix(strings.TrimPrefix(file, "examples/"), ".json")
		f.Add("application/json", "Ce-Specversion: 1.0\nCe-Type: "+typ+"\nCe-Source: /fuzz\nCe-Id: "+file, ex)
	}
	it := startIntake(f)
	client := &http.Client{Timeout: 30 * time.Second}
	f.Fuzz(func(t *testing.T, contentType, headers string, body []byte) {
		tok, err := it.issuer.PersonaToken(devissuer.PersonaEmployer)
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(http.MethodPost, it.srv.URL+"/api/v1/events", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(headers, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(strings.ToLower(strings.TrimSpace(k)), "ce-") {
				req.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
			}
		}
		if req.Header.Get("Content-Type") == "" && contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		before := it.submissions(t)
		resp, err := client.Do(req)
		if err != nil {
			if strings.Contains(err.Error(), "invalid header") {
				return // the client refuses to send it; nothing reached intake
			}
			t.Fatalf("post: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		after := it.submissions(t)
		var out map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%d answer is not JSON: %s", resp.StatusCode, b)
		}
		switch {
		case resp.StatusCode == http.StatusAccepted:
			if out["receipt"] == "" || out["receipt"] == nil || after-before > 1 {
				t.Fatalf("202 %v, %d new submissions", out, after-before)
			}
		case resp.StatusCode >= 400 && resp.StatusCode < 500:
			if out["da"] == "" || out["en"] == "" || out["da"] == nil || out["en"] == nil || out["code"] == nil {
				t.Fatalf("%d problem without code or texts: %s", resp.StatusCode, b)
			}
			if after != before {
				t.Fatalf("%d refusal stored %d submissions", resp.StatusCode, after-before)
			}
		default:
			t.Fatalf("answered %d: %s", resp.StatusCode, b)
		}
	})
}
