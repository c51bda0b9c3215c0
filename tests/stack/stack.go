// Package stack starts the local stack for end-to-end tests: it builds every
// function binary from this checkout and runs localstack on free ports with a
// fresh data directory, against the backing services named by the
// environment (make test sources .data/stack.env).
package stack

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/localstack"
)

// Root returns the repository root (the directory holding go.work).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.work above the working directory")
		}
		dir = parent
	}
}

// Build compiles every function under functions/ into dir.
func Build(root, dir string) error {
	fns, err := os.ReadDir(filepath.Join(root, "functions"))
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(fns))
	for _, f := range fns {
		if _, err := os.Stat(filepath.Join(root, "functions", f.Name(), "main.go")); err != nil {
			continue // a module without a command yet
		}
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), ".")
			cmd.Dir = filepath.Join(root, "functions", name)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %v\n%s", name, err, out)
			}
		}(f.Name())
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// Run builds the functions, starts a stack, runs m and stops the stack; use
// it from TestMain. The stack is available through Get.
func Run(m *testing.M) int {
	root, err := Root()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	data, err := os.MkdirTemp("", "nr-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(data)
	dataDir = data
	dropDB, err := freshDatabase()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer dropDB()
	bin := filepath.Join(data, "bin")
	if err := Build(root, bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logf, err := os.Create(filepath.Join(data, "localstack.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The public origin is opened first, so the development issuer mounted
	// on it, and the functions verifying its tokens, know its URL.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	issuer, err = devissuer.New(devissuer.Config{Issuer: "http://" + ln.Addr().String() + "/dev-issuer"})
	if err != nil {
		ln.Close()
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	registersURL, stopRegisters, err := startRegisters(data)
	if err != nil {
		ln.Close()
		fmt.Fprintln(os.Stderr, "stand-in registers:", err)
		return 1
	}
	defer stopRegisters()
	mounts := map[string]http.Handler{"/dev-issuer/": issuer}
	postEnv, stopPost, err := startPostStandIns(registersURL)
	if err != nil {
		ln.Close()
		fmt.Fprintln(os.Stderr, "stand-in Digital Post and NemSMS:", err)
		return 1
	}
	defer stopPost()
	current, err = localstack.Start(context.Background(), localstack.Config{
		Manifests:      filepath.Join(root, "k8s", "base"),
		DataDir:        data,
		BinDir:         bin,
		PublicListener: ln,
		BrokerAddr:     "127.0.0.1:0",
		FirstPort:      -1,
		Env:            append(append(postEnv, pushSinkEnv(data)...), "DATABASE_URL="+os.Getenv("DATABASE_URL"), "OIDC_ISSUER="+issuer.URL(), "REGISTERS_URL="+registersURL),
		Mounts:         mounts,
		Log:            slog.New(slog.NewJSONHandler(logf, nil)),
	})
	if err != nil {
		ln.Close()
		fmt.Fprintln(os.Stderr, "start local stack:", err)
		dumpLogs(data)
		return 1
	}
	code := m.Run()
	current.Close()
	// No personal data in logs: after the whole run, no log holds a
	// CPR-shaped number.
	if found, err := ScanLogsForCPR(data); err != nil || len(found) > 0 {
		fmt.Fprintf(os.Stderr, "CPR-shaped numbers in the logs (personal data must never be logged): %v %v\n", found, err)
		code = 1
	}
	if code != 0 {
		dumpLogs(data)
	}
	return code
}

var (
	current *localstack.Stack
	issuer  *devissuer.Issuer
	dataDir string
)

// Get returns the running stack (Run must have started it).
func Get() *localstack.Stack { return current }

// Issuer returns the development issuer mounted at <Get().URL()>/dev-issuer,
// whose tokens the functions accept (tests mint their own with it).
func Issuer() *devissuer.Issuer { return issuer }

// dumpLogs prints the tail of every function log, to explain a failure.
func dumpLogs(data string) {
	files, _ := filepath.Glob(filepath.Join(data, "logs", "*.log"))
	files = append(files, filepath.Join(data, "localstack.log"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		fmt.Fprintf(os.Stderr, "---- %s ----\n%s\n", filepath.Base(f), b)
	}
}

// freshDatabase creates an empty database for this run and points
// DATABASE_URL at it (for the stack and the test process), so a run never
// depends on what earlier runs left in the ledger. The returned func drops it.
func freshDatabase() (func(), error) {
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", u.Redacted(), err)
	}
	name := fmt.Sprintf("nr_e2e_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return nil, fmt.Errorf("create database: %w", err)
	}
	u.Path = "/" + name
	// A stack runs some fifteen functions, each with its own pool, next to
	// the test's own pools; a server with the usual 100 connections must
	// hold them all, so each pool stays small here.
	if q := u.Query(); q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", "3")
		u.RawQuery = q.Encode()
	}
	os.Setenv("DATABASE_URL", u.String())
	return func() {
		os.Setenv("DATABASE_URL", base)
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close(ctx)
	}, nil
}
