package clamav_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/infra/clamav"
)

// clamdAddr is the real clamd of the local stack (.data/stack.env).
func clamdAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("CLAMD_ADDR")
	if addr == "" {
		addr = "127.0.0.1:3310"
	}
	if err := clamav.New(addr).Ping(context.Background()); err != nil {
		t.Fatalf("clamd at %s: %v (run infra/stack/services.sh start)", addr, err)
	}
	return addr
}

func TestScanWithRealClamd(t *testing.T) {
	t.Parallel()
	addr := clamdAddr(t)
	big := bytes.Repeat([]byte("A"), 26<<20) // over the stack's StreamMaxLength 25M
	cases := []struct {
		name   string
		opts   []clamav.Option
		body   []byte
		want   clamav.Status
		sig    string
		errMsg string
	}{
		{name: "eicar", body: clamav.EICAR(), want: clamav.Infected, sig: "EICAR"},
		{name: "eicar inside a pdf, across a chunk boundary", opts: []clamav.Option{clamav.WithChunkSize(50)},
			body: append(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte(" "), 20)...), clamav.EICAR()...), want: clamav.Infected, sig: "EICAR"},
		{name: "clean text", body: []byte("Lønseddel for september: æøå"), want: clamav.Clean},
		{name: "empty", body: nil, want: clamav.Clean},
		{name: "over clamd's StreamMaxLength", body: big, want: clamav.TooLarge},
		{name: "over the client's own limit", opts: []clamav.Option{clamav.WithMaxBytes(1000)}, body: bytes.Repeat([]byte("B"), 1001), want: clamav.TooLarge},
		{name: "exactly the client's own limit", opts: []clamav.Option{clamav.WithMaxBytes(1000)}, body: bytes.Repeat([]byte("B"), 1000), want: clamav.Clean},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v, err := clamav.New(addr, c.opts...).Scan(context.Background(), bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if v.Status != c.want || !strings.Contains(v.Signature, c.sig) {
				t.Fatalf("verdict %v %q, want %v containing %q", v.Status, v.Signature, c.want, c.sig)
			}
		})
	}
}

func TestPing(t *testing.T) {
	t.Parallel()
	if err := clamav.New(clamdAddr(t)).Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := clamav.New(closedPort(t)).Ping(context.Background()); !errors.Is(err, clamav.ErrUnavailable) {
		t.Fatalf("ping of a closed port: %v", err)
	}
}

// closedPort returns an address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// fakeClamd accepts one connection, reads the command and some input, then
// does what answer says.
func fakeClamd(t *testing.T, answer func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				answer(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// drain reads the whole INSTREAM request up to the zero-length chunk.
func drain(c net.Conn) {
	buf := make([]byte, 10)
	if _, err := io.ReadFull(c, buf); err != nil {
		return
	}
	hdr := make([]byte, 4)
	for {
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		n := int(hdr[0])<<24 | int(hdr[1])<<16 | int(hdr[2])<<8 | int(hdr[3])
		if n == 0 {
			return
		}
		if _, err := io.CopyN(io.Discard, c, int64(n)); err != nil {
			return
		}
	}
}

func TestScanFailuresNeverPassAsClean(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("x"), 300<<10)
	cases := []struct {
		name   string
		addr   func(t *testing.T) string
		want   clamav.Status
		wantUn bool
	}{
		{name: "nothing listens", addr: closedPort, wantUn: true},
		{name: "closes without an answer", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) { drain(c) })
		}, wantUn: true},
		{name: "drops the connection mid-stream", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) { _, _ = io.CopyN(io.Discard, c, 1000) })
		}, wantUn: true},
		{name: "answers an error", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) { drain(c); _, _ = c.Write([]byte("stream: Can't allocate memory ERROR\x00")) })
		}, wantUn: true},
		{name: "answers nonsense", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) { drain(c); _, _ = c.Write([]byte("stream: maybe\x00")) })
		}, wantUn: true},
		{name: "never answers", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) { drain(c); time.Sleep(3 * time.Second) })
		}, wantUn: true},
		{name: "size limit exceeded mid-stream", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) {
				_, _ = io.CopyN(io.Discard, c, 100<<10)
				_, _ = c.Write([]byte("INSTREAM size limit exceeded. ERROR\x00"))
			})
		}, want: clamav.TooLarge},
		{name: "AlertExceedsMax", addr: func(t *testing.T) string {
			return fakeClamd(t, func(c net.Conn) {
				drain(c)
				_, _ = c.Write([]byte("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\x00"))
			})
		}, want: clamav.TooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cl := clamav.New(c.addr(t), clamav.WithTimeout(time.Second))
			v, err := cl.Scan(context.Background(), bytes.NewReader(body))
			if c.wantUn {
				if !errors.Is(err, clamav.ErrUnavailable) {
					t.Fatalf("got %+v, %v; want ErrUnavailable", v, err)
				}
				return
			}
			if err != nil || v.Status != c.want {
				t.Fatalf("got %+v, %v; want %v", v, err, c.want)
			}
		})
	}
}

func TestScanStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	addr := fakeClamd(t, func(c net.Conn) { drain(c); time.Sleep(5 * time.Second) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := clamav.New(addr).Scan(ctx, strings.NewReader("x"))
	if !errors.Is(err, clamav.ErrUnavailable) || time.Since(start) > 2*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

func TestEICARIsTheStandardTestFile(t *testing.T) {
	e := clamav.EICAR()
	if len(e) != 68 || !bytes.HasPrefix(e, []byte("X5O!")) || !bytes.HasSuffix(e, []byte("H+H*")) {
		t.Fatalf("EICAR() = %q", e)
	}
}
