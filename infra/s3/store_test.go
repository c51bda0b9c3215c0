package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/s3"
)

// newStore connects to the store named by the environment (S3_*, as
// .data/stack.env sets them) and creates a fresh bucket for the test.
func newStore(t testing.TB) (*s3.Store, string) {
	t.Helper()
	var b config.Base
	if err := config.Load(&b); err != nil {
		t.Fatal(err)
	}
	if b.S3AccessKey == "" {
		t.Fatal("S3_ACCESS_KEY is not set: source .data/stack.env (make services starts MinIO)")
	}
	st, err := s3.New(s3.FromBase(b))
	if err != nil {
		t.Fatal(err)
	}
	bucket := fmt.Sprintf("nr-test-%d-%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	if err := st.EnsureBuckets(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	return st, bucket
}

func TestEnsureBucketsIsIdempotent(t *testing.T) {
	t.Parallel()
	st, bucket := newStore(t)
	if err := st.EnsureBuckets(context.Background(), bucket, bucket); err != nil {
		t.Fatalf("second EnsureBuckets: %v", err)
	}
}

func TestPutGetCopyDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, bucket := newStore(t)
	other := bucket + "-b"
	if err := st.EnsureBuckets(ctx, other); err != nil {
		t.Fatal(err)
	}
	body := []byte("%PDF-1.4 æøå")
	if err := st.Put(ctx, bucket, "a/one.pdf", bytes.NewReader(body), "application/pdf"); err != nil {
		t.Fatal(err)
	}
	rc, obj, err := st.Get(ctx, bucket, "a/one.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, body) || obj.Size != int64(len(body)) || obj.ContentType != "application/pdf" {
		t.Fatalf("get: %q %+v", got, obj)
	}
	if err := st.Copy(ctx, bucket, "a/one.pdf", other, "copied"); err != nil {
		t.Fatal(err)
	}
	if o, err := st.Stat(ctx, other, "copied"); err != nil || o.Size != int64(len(body)) {
		t.Fatalf("stat copy: %+v %v", o, err)
	}
	if err := st.Delete(ctx, bucket, "a/one.pdf"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, bucket, "a/one.pdf"); err != nil {
		t.Fatalf("deleting a missing object: %v", err)
	}
	if _, _, err := st.Get(ctx, bucket, "a/one.pdf"); !errors.Is(err, s3.ErrNotFound) {
		t.Fatalf("get after delete: %v, want ErrNotFound", err)
	}
	if _, err := st.Stat(ctx, bucket, "missing"); !errors.Is(err, s3.ErrNotFound) {
		t.Fatalf("stat missing: %v, want ErrNotFound", err)
	}
	if err := st.Copy(ctx, bucket, "missing", other, "x"); !errors.Is(err, s3.ErrNotFound) {
		t.Fatalf("copy missing: %v, want ErrNotFound", err)
	}
}

func TestPresignedURLWorksAndExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, bucket := newStore(t)
	if err := st.Put(ctx, bucket, "doc", strings.NewReader("content"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	u, err := st.Presign(ctx, bucket, "doc", 2*time.Second, `løn "sep".pdf`)
	if err != nil {
		t.Fatal(err)
	}
	var cacheControl string
	get := func() (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		cacheControl = resp.Header.Get("Cache-Control")
		return resp.StatusCode, string(b)
	}
	if code, body := get(); code != http.StatusOK || body != "content" {
		t.Fatalf("fresh URL: %d %q", code, body)
	}
	// A document is personal data: the download may not be cached (issue 16).
	if cacheControl != "no-store" {
		t.Fatalf("Cache-Control %q, want no-store", cacheControl)
	}
	// A tampered signature is refused.
	resp, err := http.Get(strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("tampered URL: %d, want 403", resp.StatusCode)
	}
	time.Sleep(3500 * time.Millisecond)
	if code, _ := get(); code != http.StatusForbidden {
		t.Fatalf("expired URL: %d, want 403", code)
	}
}

func TestUnreachableStoreIsUnavailable(t *testing.T) {
	t.Parallel()
	st, err := s3.New(s3.Config{Endpoint: "http://127.0.0.1:1", AccessKey: "a", SecretKey: "b", Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Put(context.Background(), "b", "k", strings.NewReader("x"), "")
	if !errors.Is(err, s3.ErrUnavailable) {
		t.Fatalf("put to a closed port: %v, want ErrUnavailable", err)
	}
	if err := st.EnsureBuckets(context.Background(), "b"); !errors.Is(err, s3.ErrUnavailable) {
		t.Fatalf("EnsureBuckets on a closed port: %v, want ErrUnavailable", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []s3.Config{
		{Endpoint: "127.0.0.1:9000", AccessKey: "a", SecretKey: "b"},
		{Endpoint: "http://127.0.0.1:9000"},
	} {
		if _, err := s3.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
