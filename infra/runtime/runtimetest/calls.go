package runtimetest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/cloudevents/sdk-go/v2/binding"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"
)

// Reply is an answer of the function, read in full.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Post delivers ev to the function as the broker does, in binary mode
// with the test broker's token, and returns the status and the body.
func (k *Kit) Post(t testing.TB, ev cloudevents.Event) (int, string) {
	t.Helper()
	return k.post(t, context.Background(), ev)
}

// PostWithToken is Post with "Authorization: Bearer <token>" instead of
// the broker's token ("" sends none): for tests of forged deliveries.
func (k *Kit) PostWithToken(t testing.TB, ev cloudevents.Event, token string) (int, string) {
	t.Helper()
	return k.postAuth(t, context.Background(), ev, &token)
}

// PostStructured is Post in structured mode (application/cloudevents+json),
// as some senders post.
func (k *Kit) PostStructured(t testing.TB, ev cloudevents.Event) (int, string) {
	t.Helper()
	return k.post(t, binding.WithForceStructured(context.Background()), ev)
}

func (k *Kit) post(t testing.TB, ctx context.Context, ev cloudevents.Event) (int, string) {
	t.Helper()
	return k.postAuth(t, ctx, ev, nil)
}

// postAuth posts ev with token (nil: the test broker's token for the
// function).
func (k *Kit) postAuth(t testing.TB, ctx context.Context, ev cloudevents.Event, token *string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, k.Server.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cehttp.WriteRequest(ctx, binding.ToMessage(&ev), req); err != nil {
		t.Fatal(err)
	}
	switch {
	case token == nil:
		SignDelivery(t, req, k.audience())
	case *token != "":
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	r := k.Do(t, req)
	return r.Status, string(r.Body)
}

// Deliver posts ev in binary mode and fails the test unless the function
// answers 2xx.
func (k *Kit) Deliver(t testing.TB, ev cloudevents.Event) {
	t.Helper()
	if code, body := k.Post(t, ev); code/100 != 2 {
		t.Fatalf("delivery of %s: %d %s", ev.Type(), code, body)
	}
}

// Call sends method path (below the function's origin) with body — nil for
// none, a string or []byte as it is, anything else as JSON — and, unless
// token is "", the header "Authorization: Bearer <token>".
func (k *Kit) Call(t testing.TB, method, path, token string, body any) Reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, k.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return k.Do(t, req)
}

// noRedirect shows the tests a redirect as it is.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Do sends req and reads the answer; redirects are not followed.
func (k *Kit) Do(t testing.TB, req *http.Request) Reply {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
