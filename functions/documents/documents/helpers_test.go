package documents_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/functions/documents/documents"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime/runtimetest"
	"nemrefusion.dk/infra/s3"
)

// clamdProxy stands between the function and the real clamd; switched off,
// it accepts connections and drops them at once, as a dead clamd behind a
// load balancer would.
type clamdProxy struct {
	ln     net.Listener
	target string
	up     atomic.Bool
}

func newClamdProxy(t testing.TB, target string) *clamdProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &clamdProxy{ln: ln, target: target}
	p.up.Store(true)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *clamdProxy) serve(c net.Conn) {
	defer c.Close()
	if !p.up.Load() {
		return
	}
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer s.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(s, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, s); done <- struct{}{} }()
	<-done
}

func (p *clamdProxy) addr() string { return p.ln.Addr().String() }

type fixture struct {
	*runtimetest.Kit
	fn    *documents.Function
	store *s3.Store
	proxy *clamdProxy
	cfg   documents.Config
	quar  string
	docs  string
}

type options struct {
	maxBytes     int64
	scannerLimit int64
}

func start(t testing.TB, o options) *fixture {
	t.Helper()
	var base config.Base
	if err := config.Load(&base); err != nil {
		t.Fatal(err)
	}
	if base.S3AccessKey == "" {
		t.Fatal("S3_ACCESS_KEY not set: source .data/stack.env (make services starts MinIO)")
	}
	f := &fixture{}
	var err error
	if f.store, err = s3.New(s3.FromBase(base)); err != nil {
		t.Fatal(err)
	}
	suffix := rand.Uint32()
	f.quar, f.docs = fmt.Sprintf("nr-quarantine-test-%d", suffix), fmt.Sprintf("nr-documents-test-%d", suffix)
	if err := f.store.EnsureBuckets(context.Background(), f.quar, f.docs); err != nil {
		t.Fatal(err)
	}
	f.proxy = newClamdProxy(t, base.ClamdAddr)
	if err := clamav.New(base.ClamdAddr).Ping(context.Background()); err != nil {
		t.Fatalf("the real clamd at %s: %v (run infra/stack/services.sh start)", base.ClamdAddr, err)
	}
	f.Kit = runtimetest.Start(t, runtimetest.Options{Name: "documents", Base: &base, Migrations: documents.Migrations()})
	f.cfg = documents.Config{MaxBytes: 10 << 20, URLTTL: 30 * time.Second, RescanInterval: time.Second,
		ReceiptSenderCVR: "19435075", ReceiptSenderName: "Mit Sygefravær"}
	if o.maxBytes > 0 {
		f.cfg.MaxBytes = o.maxBytes
	}
	var opts []clamav.Option
	if o.scannerLimit > 0 {
		opts = append(opts, clamav.WithMaxBytes(o.scannerLimit))
	}
	v := f.Verifier(t)
	f.fn, err = documents.Register(f.Svc, documents.Deps{Store: f.store, Scanner: clamav.New(f.proxy.addr(), append(opts, clamav.WithTimeout(10*time.Second))...),
		Quarantine: f.quar, Documents: f.docs, Config: f.cfg, Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// published returns the events of typ the function published whose data
// mentions id.
func (f *fixture) published(typ, id string) []cloudevents.Event {
	return f.Sink.Where(func(e cloudevents.Event) bool { return e.Type() == typ && bytes.Contains(e.Data(), []byte(id)) })
}

// upload posts a multipart form with the file and title.
func upload(t testing.TB, base, token, filename, title string, content []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("title", title)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/documents", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t testing.TB, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	b, _ := io.ReadAll(resp.Body)
	_ = jsonUnmarshal(b, &out)
	if loc := resp.Header.Get("Location"); loc != "" {
		out["location"] = loc
	}
	return resp.StatusCode, out
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t testing.TB, base, path, token, accept string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return do(t, req)
}
