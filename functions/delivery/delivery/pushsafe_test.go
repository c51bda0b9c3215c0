package delivery_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/delivery"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// startWith runs a delivery function with push settings ps (fast retries).
func startWith(t *testing.T, ps delivery.PushConfig) *fixture {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: "delivery", Migrations: delivery.Migrations()})
	ctx, cancel := context.WithCancel(context.Background())
	fn, err := delivery.Register(k.Svc, delivery.Config{
		PushInterval: 20 * time.Millisecond, PushBackoffBase: 20 * time.Millisecond, PushBackoffMax: 100 * time.Millisecond,
		PushTimeout: 2 * time.Second, PushConfig: ps,
	}, k.Verifier(t))
	if err != nil {
		cancel()
		t.Fatalf("Register: %v", err)
	}
	done := make(chan struct{})
	go func() { fn.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return &fixture{Kit: k, t: t, fn: fn}
}

// trusting returns push settings for tests: loopback allowed and the
// httptest TLS server's certificate trusted (the same built-in
// certificate for every httptest TLS server).
func trusting(t *testing.T, ss *httptest.Server) delivery.PushConfig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ss.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return delivery.PushConfig{PushRootCAs: path, PushAllowLoopback: true, PushKeyRollover: time.Hour}
}

// Finding (issue 16): "the push-sink URL accepts loopback, link-local and
// plain http". With the default settings every address that is not a
// public https address is refused at registration, with one answer that
// says nothing about the network behind it.
func TestPushSinkRefusesLoopbackPrivateLinkLocalAndPlainHTTP(t *testing.T) {
	t.Parallel()
	f := startWith(t, delivery.PushConfig{})
	cs := caseSystem("101")
	for _, u := range []string{
		"http://example.com/ksd", "https://127.0.0.1/", "https://127.1.2.3:8443/", "https://localhost/", "https://api.localhost/",
		"https://[::1]/", "https://10.0.0.1/", "https://172.16.0.1/", "https://192.168.1.1/", "https://169.254.169.254/latest/meta-data",
		"https://[fe80::1]/", "https://[fd00::1]/", "https://224.0.0.1/", "https://0.0.0.0/", "https://[::]/", "https://[::ffff:127.0.0.1]/",
		"https://100.64.0.1/", "https://user:pw@example.com/", "ftp://example.com/", "https:///nohost", "https://[64:ff9b::7f00:1]/",
	} {
		r := f.Call(t, http.MethodPut, "/api/v1/deliveries/101/sink", f.Token(t, cs), delivery.SinkRequest{URL: u})
		if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), `"url"`) {
			t.Errorf("PUT sink %s: %d %s, want 400 naming the url", u, r.Status, r.Body)
		}
	}
	var st delivery.SinkStatus
	if f.call("GET", "/api/v1/deliveries/101/sink", &cs, nil, &st); st.URL != "" {
		t.Fatalf("a refused sink was stored: %+v", st)
	}
}

// A sink whose name resolved to a public address at registration but
// points at loopback when pushed to (DNS rebinding, or a row changed
// behind the API) gets nothing: the dialer checks the address it
// connects to. Redirects are refused the same way with the default
// settings, and plain http never reaches the network.
func TestPushDialerRefusesNonPublicAddressesAtConnectTime(t *testing.T) {
	t.Parallel()
	var hits sync.Map
	ss := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Store(r.URL.Path, true)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer ss.Close()
	ps := trusting(t, ss)
	ps.PushAllowLoopback = false // the certificate is trusted; only the address is wrong
	f := startWith(t, ps)
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "147", "sickness.report", "12345674", 1))
	// As if the name now resolved to loopback: the row points there.
	if _, err := f.Svc.DB.Exec(context.Background(), `UPDATE recipients SET sink_url = $2, push_key_id = 'k', push_secret = '\x00'::bytea WHERE recipient = $1`,
		"147", ss.URL+"/rebound"); err != nil {
		t.Fatal(err)
	}
	f.fn.Wake()
	cs := caseSystem("147")
	var st delivery.SinkStatus
	eventually(t, "a failed push", func() bool {
		f.call("GET", "/api/v1/deliveries/147/sink", &cs, nil, &st)
		return st.Attempts > 0
	})
	if _, ok := hits.Load("/rebound"); ok {
		t.Fatal("the push reached a loopback address")
	}
	if st.LastError != delivery.PushErrConnection || st.LastErrorDa == "" || st.LastErrorEn == "" || strings.Contains(st.LastErrorEn, "127.0.0.1") {
		t.Fatalf("sink status %+v, want the generic connection-failed category", st)
	}
}

// Finding (issue 16): "[the push sink] follows redirects, and its
// lastError echoes internal answers (an SSRF port scanner)". A redirect
// is not followed; a 5xx with a body, a closed port and a redirect show
// only a bilingual category, never the body, the status line or an
// address.
func TestPushLastErrorIsACategoryAndRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var reachedTarget sync.Map
	target := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reachedTarget.Store("hit", true)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer target.Close()
	ss := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, target.URL+"/internal", http.StatusTemporaryRedirect)
		default:
			http.Error(w, "postgres at 10.1.2.3:5432 says: password authentication failed", http.StatusInternalServerError)
		}
	}))
	defer ss.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "https://" + ln.Addr().String() + "/"
	ln.Close()
	f := startWith(t, trusting(t, ss))
	cases := []struct {
		recipient, url, want string
	}{
		{"151", ss.URL + "/redirect", delivery.PushErrRedirect},
		{"153", ss.URL + "/error", delivery.PushErr5xx},
		{"155", closed, delivery.PushErrConnection},
	}
	for _, tc := range cases {
		absence := newAbsence()
		f.mustPost(events.DeliveryRequested, absence, report(absence, tc.recipient, "sickness.report", "12345674", 1))
		cs := caseSystem(tc.recipient)
		if code := f.call("PUT", "/api/v1/deliveries/"+tc.recipient+"/sink", &cs, delivery.SinkRequest{URL: tc.url}, nil); code != http.StatusOK {
			t.Fatalf("register %s: %d", tc.url, code)
		}
		var st delivery.SinkStatus
		eventually(t, "a failed push to "+tc.url, func() bool {
			f.call("GET", "/api/v1/deliveries/"+tc.recipient+"/sink", &cs, nil, &st)
			return st.LastError != ""
		})
		r := f.Call(t, http.MethodGet, "/api/v1/deliveries/"+tc.recipient+"/sink", f.Token(t, cs), nil)
		if st.LastError != tc.want || st.LastErrorDa == "" || st.LastErrorEn == "" {
			t.Errorf("%s: lastError %q (%s), want %q", tc.url, st.LastError, st.LastErrorEn, tc.want)
		}
		for _, leak := range []string{"10.1.2.3", "postgres", "password", "127.0.0.1", "connection refused", "dial", "Post "} {
			if strings.Contains(strings.ReplaceAll(string(r.Body), tc.url, ""), leak) {
				t.Errorf("%s: the sink status echoes %q: %s", tc.url, leak, r.Body)
			}
		}
		for _, leak := range []string{"500", "307", ":"} {
			if strings.Contains(st.LastError+st.LastErrorDa+st.LastErrorEn, leak) {
				t.Errorf("%s: lastError echoes %q: %+v", tc.url, leak, st)
			}
		}
	}
	if _, ok := reachedTarget.Load("hit"); ok {
		t.Fatal("the redirect was followed")
	}
}

// signedSink accepts a push only when it verifies with one of its
// secrets, and records which key verified each push.
type signedSink struct {
	mu      sync.Mutex
	url     string
	secrets map[string][]byte
	keys    []string
	refused int
}

func (s *signedSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	kid, err := delivery.VerifyPush(r.Header, r.Method, s.url, body, s.secrets, time.Now())
	if err != nil {
		s.refused++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	s.keys = append(s.keys, kid)
	w.WriteHeader(http.StatusAccepted)
}

func (s *signedSink) accepted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.keys...)
}

// Finding (issue 16): "push deliveries carry no authentication". Every
// push carries an RFC 9421 signature (hmac-sha256 over method, target,
// Content-Digest and Content-Type) with the recipient's secret, shown once
// at registration; after a rotation the push carries a signature with the
// new and the previous secret, so a receiver holding either verifies it.
func TestPushesAreSignedAndSecretsRotate(t *testing.T) {
	t.Parallel()
	sink := &signedSink{secrets: map[string][]byte{}}
	ss := httptest.NewTLSServer(sink)
	defer ss.Close()
	sink.url = ss.URL + "/ksd"
	f := startWith(t, trusting(t, ss))
	cs := caseSystem("157")
	sink.mu.Lock() // no push verifies before the secret is known
	var st delivery.SinkStatus
	if code := f.call("PUT", "/api/v1/deliveries/157/sink", &cs, delivery.SinkRequest{URL: sink.url}, &st); code != http.StatusOK || st.Secret == "" || st.KeyID == "" {
		sink.mu.Unlock()
		t.Fatalf("register: %d %+v, want the secret and its key id", code, st)
	}
	first, _ := base64.StdEncoding.DecodeString(st.Secret)
	sink.secrets[st.KeyID] = first
	firstID := st.KeyID
	sink.mu.Unlock()
	// The secret is shown once.
	var again delivery.SinkStatus
	if f.call("GET", "/api/v1/deliveries/157/sink", &cs, nil, &again); again.Secret != "" || again.KeyID != firstID {
		t.Fatalf("status shows the secret again: %+v", again)
	}
	absence := newAbsence()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "157", "sickness.report", "12345674", 1))
	eventually(t, "the first push", func() bool { return len(sink.accepted()) == 1 })

	// Rotate: the receiver still holds only the first secret, and the push verifies.
	var rot delivery.SinkStatus
	if code := f.call("POST", "/api/v1/deliveries/157/sink/secret", &cs, nil, &rot); code != http.StatusOK || rot.Secret == "" || rot.KeyID == firstID || rot.PreviousKeyID != firstID {
		t.Fatalf("rotate: %d %+v", code, rot)
	}
	f.mustPost(events.DeliveryRequested, absence, report(absence, "157", "sickness.report", "12345674", 2))
	eventually(t, "the push after the rotation", func() bool { return len(sink.accepted()) == 2 })
	// The receiver switches to the new secret only: it verifies too.
	second, _ := base64.StdEncoding.DecodeString(rot.Secret)
	sink.mu.Lock()
	sink.secrets = map[string][]byte{rot.KeyID: second}
	sink.mu.Unlock()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "157", "sickness.report", "12345674", 3))
	eventually(t, "the push verified with the new secret", func() bool { return len(sink.accepted()) == 3 })
	if got := sink.accepted(); got[0] != firstID || got[2] != rot.KeyID {
		t.Fatalf("verified with %v", got)
	}
	// A sink that holds no secret of ours refuses every push.
	sink.mu.Lock()
	sink.secrets = map[string][]byte{"someone-else": []byte("guess")}
	sink.mu.Unlock()
	f.mustPost(events.DeliveryRequested, absence, report(absence, "157", "sickness.report", "12345674", 4))
	eventually(t, "a refused push", func() bool { sink.mu.Lock(); defer sink.mu.Unlock(); return sink.refused > 0 })
	// Another municipality cannot rotate 157's secret.
	other := caseSystem("147")
	if code := f.call("POST", "/api/v1/deliveries/157/sink/secret", &other, nil, nil); code != http.StatusForbidden {
		t.Fatalf("foreign rotation: %d", code)
	}
}

// VerifyPush refuses a body that does not match its digest, a changed
// target and a stale signature.
func TestVerifyPushRefusesTampering(t *testing.T) {
	t.Parallel()
	secrets := map[string][]byte{"k1": []byte("0123456789abcdef0123456789abcdef")}
	h, body := delivery.SignedForTest("https://ksd.example/in", []byte(`{"a":1}`), "k1", secrets["k1"], time.Now())
	if _, err := delivery.VerifyPush(h, "POST", "https://ksd.example/in", body, secrets, time.Now()); err != nil {
		t.Fatalf("a good push: %v", err)
	}
	for name, tc := range map[string]struct {
		target string
		body   []byte
		now    time.Time
	}{
		"body":   {"https://ksd.example/in", []byte(`{"a":2}`), time.Now()},
		"target": {"https://evil.example/in", body, time.Now()},
		"stale":  {"https://ksd.example/in", body, time.Now().Add(10 * time.Minute)},
	} {
		if _, err := delivery.VerifyPush(h, "POST", tc.target, tc.body, secrets, tc.now); err == nil {
			t.Errorf("%s: a tampered push verifies", name)
		}
	}
}
