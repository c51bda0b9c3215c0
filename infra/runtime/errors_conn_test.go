package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A database connection that breaks in the middle of a statement (the
// server stopped, the network cut) is a transient failure: 503, retried,
// never a bare 500. Found by the fault tests (tests/faults): stopping
// PostgreSQL under load gave a user a 500 ("unexpected EOF").
func TestKindOfBrokenDatabaseConnectionIsUnavailable(t *testing.T) {
	t.Parallel()
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	target := u.Host
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	u.Host = ln.Addr().String()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatalf("no database (is Postgres up? source .data/stack.env): %v", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		mu.Lock()
		for i, c := range conns {
			if i%2 == 1 { // the server's side: the client sees the server go away
				c.Close()
			}
		}
		mu.Unlock()
	}()
	_, err = tx.Exec(ctx, "SELECT pg_sleep(5)")
	if err == nil {
		t.Fatal("the statement survived a cut connection")
	}
	if k := KindOf(err); k != KindUnavailable {
		t.Fatalf("KindOf(%v) = %v (status %d), want Unavailable (503)", err, k, k.Status())
	}
	if k := KindOf(tx.Commit(ctx)); k != KindUnavailable {
		t.Fatalf("commit on the broken connection: status %d, want 503", k.Status())
	}
}

// The errors a statement gets from a connection that broke under it, as
// pgx passes them up (a message cut short is io.ErrUnexpectedEOF, wrapped
// by the handler's context): transient, 503.
func TestKindOfConnectionLevelErrors(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		fmt.Errorf("save task: %w", io.ErrUnexpectedEOF),
		fmt.Errorf("commit: %w", pgx.ErrTxClosed),
		fmt.Errorf("ledger: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}),
		fmt.Errorf("write: %w", syscall.EPIPE),
	} {
		if k := KindOf(err); k != KindUnavailable {
			t.Errorf("KindOf(%v) = status %d, want 503", err, k.Status())
		}
	}
	if k := KindOf(errors.New("some bug")); k != KindInternal {
		t.Errorf("a plain error is status %d, want 500", k.Status())
	}
}
