package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"nemrefusion.dk/infra/localstack"
	"nemrefusion.dk/tests/stack"
)

// coldIdle is how long a started process idles before its RSS is read.
const coldIdle = 500 * time.Millisecond

// helloSrc is the baseline of a Go HTTP server: the least a function could
// be, a binary that answers /readyz.
const helloSrc = `package main

import (
	"net/http"
	"os"
)

func main() {
	http.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {})
	_ = http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), nil)
}
`

var hello struct {
	once sync.Once
	bin  string
	err  error
}

// helloBinary builds helloSrc once per process.
func helloBinary(b *testing.B) string {
	hello.once.Do(func() {
		dir, err := os.MkdirTemp("", "hello-*")
		if err != nil {
			hello.err = err
			return
		}
		if err = os.WriteFile(filepath.Join(dir, "main.go"), []byte(helloSrc), 0o644); err == nil {
			err = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644)
		}
		if err != nil {
			hello.err = err
			return
		}
		hello.bin = filepath.Join(dir, "hello")
		cmd := exec.Command("go", "build", "-o", hello.bin, ".")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOWORK=off", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			hello.err = fmt.Errorf("build hello: %v: %s", err, out)
		}
	})
	if hello.err != nil {
		b.Fatal(hello.err)
	}
	return hello.bin
}

func freePort(b *testing.B) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// BenchmarkColdStart measures, per function, the time from starting its
// binary (with the stack's environment, on free ports) to its /readyz
// answering 200, and its resident set after coldIdle, against two
// baselines of the same run, alternating with each start: a process that
// does nothing (/bin/true) and a minimal Go HTTP server (helloSrc). It
// reports ready-ms and rss-MiB with the ratios ready/true, ready/hello and
// rss/hello:
//
//	go test -run '^$' -bench ColdStart ./tests/e2e/
func BenchmarkColdStart(b *testing.B) {
	ctx := context.Background()
	s := stack.Get()
	hb := helloBinary(b)
	for _, name := range s.Names() {
		b.Run(name, func(b *testing.B) {
			var fn, tr, he localstack.Started
			for range b.N {
				st, err := s.ColdStart(ctx, name, coldIdle)
				if err != nil {
					b.Fatalf("%s: %v", name, err)
				}
				fn.Ready, fn.RSS = fn.Ready+st.Ready, fn.RSS+st.RSS
				st, err = localstack.StartToReady(ctx, exec.Command("/bin/true"), "", 0)
				if err != nil {
					b.Fatal(err)
				}
				tr.Ready += st.Ready
				port := freePort(b)
				cmd := exec.Command(hb)
				cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
				st, err = localstack.StartToReady(ctx, cmd, fmt.Sprintf("http://127.0.0.1:%d/readyz", port), coldIdle)
				if err != nil {
					b.Fatal(err)
				}
				he.Ready, he.RSS = he.Ready+st.Ready, he.RSS+st.RSS
			}
			n := float64(b.N)
			b.ReportMetric(fn.Ready.Seconds()*1000/n, "ready-ms")
			b.ReportMetric(float64(fn.RSS)/n/(1<<20), "rss-MiB")
			b.ReportMetric(float64(fn.Ready)/float64(tr.Ready), "ready/true")
			b.ReportMetric(float64(fn.Ready)/float64(he.Ready), "ready/hello")
			b.ReportMetric(float64(fn.RSS)/float64(he.RSS), "rss/hello")
			b.ReportMetric(he.Ready.Seconds()*1000/n, "hello-ready-ms")
			b.ReportMetric(float64(he.RSS)/n/(1<<20), "hello-rss-MiB")
			b.ReportMetric(0, "ns/op")
		})
	}
}
