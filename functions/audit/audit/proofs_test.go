package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/functions/audit/audit"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// freshBase returns the configuration of a database of the test's own
// (dropped afterwards): the audit function signs every head in its ledger.
func freshBase(t *testing.T) *config.Base {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base.DatabaseURL)
	if err != nil {
		t.Fatalf("connect (is Postgres up? source .data/stack.env): %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "audit_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		_ = admin.Close(context.Background())
	})
	u, err := url.Parse(base.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	base.DatabaseURL = u.String()
	return &base
}

// TestIssue16PublicCheckpointsAndProofs: the audit function signs a new
// entry within moments (no tick needed), and anyone, without a login, gets
// the signed checkpoint and the entry's inclusion proof, which verifies
// with the signer's public key alone and reveals only hashes.
func TestIssue16PublicCheckpointsAndProofs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := runtimetest.Start(t, runtimetest.Options{Name: "audit", Base: freshBase(t)})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer := ledger.NewSigner(key)
	audit.Register(k.Svc, signer, k.Verifier(t))
	go audit.KeepSigned(ctx, k.Svc, signer, 50*time.Millisecond)

	if r := k.Call(t, http.MethodGet, "/api/v1/ledger/checkpoints/latest", "", nil); r.Status != http.StatusNotFound {
		t.Errorf("latest before any checkpoint: %d %s", r.Status, r.Body)
	}
	stream := "reads/absence-" + hex.EncodeToString(key[:4])
	for i := range 3 {
		if _, err := ledger.Append(ctx, k.Svc.DB, ledger.Entry{Stream: stream, Actor: "caseworker-1", Role: "caseworker",
			EventType: "dk.nemrefusion.access.read.v1", Payload: []byte(fmt.Sprintf(`{"cpr":"0101801234","i":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	var body []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := k.Call(t, http.MethodGet, "/api/v1/ledger/proofs/"+stream+"?entry=2", "", nil)
		if r.Status == http.StatusOK {
			body = r.Body
			break
		}
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "not-signed-yet") || time.Now().After(deadline) {
			t.Fatalf("proof: %d %s", r.Status, r.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if regexp.MustCompile(`0101801234|caseworker|access\.read`).Match(body) {
		t.Errorf("the proof reveals an entry's fields: %s", body)
	}
	var pj ledger.ProofJSON
	if err := json.Unmarshal(body, &pj); err != nil {
		t.Fatal(err)
	}
	p, err := pj.Proof()
	if err != nil {
		t.Fatal(err)
	}
	trusted := []ed25519.PublicKey{signer.PublicKey()}
	if err := p.Verify(trusted); err != nil {
		t.Errorf("published proof does not verify: %v", err)
	}
	recs := k.Ledger(t, stream)
	if got := hex.EncodeToString(p.EntryHash()); got != pj.EntryHash || got != hex.EncodeToString(recs[1].Hash) {
		t.Errorf("proof is of another entry: %s", pj.EntryHash)
	}
	// A tampered leaf (the entry's content) fails.
	p.ContentDigest[0] ^= 1
	if err := p.Verify(trusted); err == nil {
		t.Error("proof of a changed entry verifies")
	}

	r := k.Call(t, http.MethodGet, "/api/v1/ledger/checkpoints/latest", "", nil)
	var cj ledger.CheckpointJSON
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &cj) != nil {
		t.Fatalf("latest: %d %s", r.Status, r.Body)
	}
	c, err := cj.Info()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.VerifySignature(trusted); err != nil || hex.EncodeToString(c.Digest()) != cj.Digest {
		t.Errorf("published checkpoint: %v", err)
	}
	if r := k.Call(t, http.MethodGet, fmt.Sprintf("/api/v1/ledger/checkpoints/%d", c.ID), "", nil); r.Status != http.StatusOK {
		t.Errorf("checkpoint by id: %d %s", r.Status, r.Body)
	}
	for path, want := range map[string]int{
		"/api/v1/ledger/proofs/" + stream + "?entry=9": http.StatusNotFound,
		"/api/v1/ledger/proofs/" + stream + "?entry=x": http.StatusBadRequest,
		"/api/v1/ledger/checkpoints/999999":            http.StatusNotFound,
	} {
		if r := k.Call(t, http.MethodGet, path, "", nil); r.Status != want {
			t.Errorf("%s: %d %s, want %d", path, r.Status, r.Body, want)
		}
	}
	// The checkpoint was announced on the broker.
	if len(k.Outbox(t, "ledger-checkpoints")) == 0 {
		t.Error("no checkpoint-signed event")
	}
}

// TestIssue16CheckpointTickEveryMinute: the PingSource that makes the
// audit function checkpoint fires every minute (it was every five, so a
// scaled-down audit left up to five minutes of tail unsigned).
func TestIssue16CheckpointTickEveryMinute(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../../k8s/base/pingsources.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range strings.Split(string(b), "\n---") {
		if !strings.Contains(doc, "name: ledger-checkpoint\n") {
			continue
		}
		m := regexp.MustCompile(`(?m)^\s*schedule:\s*"([^"]*)"`).FindStringSubmatch(doc)
		if m == nil || m[1] != "* * * * *" {
			t.Fatalf("ledger-checkpoint schedule %v, want every minute", m)
		}
		return
	}
	t.Fatal("no ledger-checkpoint PingSource")
}
