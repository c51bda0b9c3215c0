// Package clamav is a client of clamd, the ClamAV daemon, over TCP. It scans
// streams with the INSTREAM command: the bytes go to clamd in length-prefixed
// chunks and clamd answers with one verdict line. Nothing is written to disk.
//
// The protocol (clamd(8)): the client sends "zINSTREAM\0", then chunks, each
// a 4-byte big-endian length followed by that many bytes, then a zero
// length. clamd answers "stream: OK", "stream: <signature> FOUND", or, when
// the stream exceeds its StreamMaxLength, "INSTREAM size limit exceeded.
// ERROR" (and closes the connection, possibly while the client is still
// writing). Any other "... ERROR" answer is a clamd failure.
//
// A Verdict is only ever Clean when clamd said "stream: OK" for the whole
// stream. Everything else is Infected, TooLarge, or an error; errors that
// mean "clamd is not there or not working" match ErrUnavailable, so callers
// keep the file in quarantine and try again later.
package clamav

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Status is the outcome of a scan.
type Status int

// The possible outcomes. The zero value is not a verdict.
const (
	// Clean: clamd scanned every byte and found nothing.
	Clean Status = iota + 1
	// Infected: clamd found a signature (Verdict.Signature names it).
	Infected
	// TooLarge: the stream exceeds clamd's StreamMaxLength or the client's
	// MaxBytes; it was not (fully) scanned and must never pass as clean.
	TooLarge
)

// String names the status.
func (s Status) String() string {
	switch s {
	case Clean:
		return "clean"
	case Infected:
		return "infected"
	case TooLarge:
		return "too-large"
	}
	return "unknown"
}

// Verdict is clamd's answer about one stream.
type Verdict struct {
	Status Status
	// Signature is the name of what was found (Infected only).
	Signature string
}

// ErrUnavailable matches errors that mean clamd could not be reached or did
// not complete the scan (connection refused, reset, timeout, an ERROR
// answer). The content may be fine: keep it in quarantine and retry.
var ErrUnavailable = errors.New("clamav: clamd unavailable")

// DefaultChunkSize is the size of one INSTREAM chunk.
const DefaultChunkSize = 64 << 10

// Client talks to one clamd. The zero value is not usable; use New. It is
// safe for concurrent use: every call opens its own connection.
type Client struct {
	addr      string
	timeout   time.Duration
	chunk     int
	maxBytes  int64
	dialer    net.Dialer
	dialLimit time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithTimeout bounds one whole scan, connection and answer included
// (default 60 s). The context's deadline applies too.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithChunkSize sets the INSTREAM chunk size (default 64 KiB).
func WithChunkSize(n int) Option { return func(c *Client) { c.chunk = n } }

// WithMaxBytes makes the client itself stop at n bytes and answer TooLarge
// without waiting for clamd's own limit (0, the default: only clamd's limit).
func WithMaxBytes(n int64) Option { return func(c *Client) { c.maxBytes = n } }

// New returns a client of clamd at addr ("host:port").
func New(addr string, opts ...Option) *Client {
	c := &Client{addr: addr, timeout: 60 * time.Second, chunk: DefaultChunkSize, dialLimit: 5 * time.Second}
	for _, o := range opts {
		o(c)
	}
	if c.chunk <= 0 {
		c.chunk = DefaultChunkSize
	}
	return c
}

// Addr is clamd's address.
func (c *Client) Addr() string { return c.addr }

func (c *Client) dial(ctx context.Context, timeout time.Duration) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, c.dialLimit)
	defer cancel()
	conn, err := c.dialer.DialContext(dctx, "tcp", c.addr)
	if err != nil {
		return nil, fmt.Errorf("%w: dial %s: %w", ErrUnavailable, c.addr, err)
	}
	deadline := time.Now().Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = conn.SetDeadline(deadline)
	// Close the connection when ctx ends, so a blocked read or write returns.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	return &stopConn{Conn: conn, stop: stop}, nil
}

type stopConn struct {
	net.Conn
	stop func() bool
}

func (s *stopConn) Close() error { s.stop(); return s.Conn.Close() }

// Ping asks clamd whether it is alive; an error matches ErrUnavailable.
func (c *Client) Ping(ctx context.Context) error {
	conn, err := c.dial(ctx, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zPING\x00")); err != nil {
		return fmt.Errorf("%w: ping: %w", ErrUnavailable, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return fmt.Errorf("%w: ping: %w", ErrUnavailable, err)
	}
	if reply != "PONG" {
		return fmt.Errorf("%w: ping answered %q", ErrUnavailable, reply)
	}
	return nil
}

// Scan streams r to clamd and returns its verdict. It never returns Clean
// unless clamd answered "stream: OK" after receiving every byte of r. An
// error reading r is returned as it is (not ErrUnavailable).
func (c *Client) Scan(ctx context.Context, r io.Reader) (Verdict, error) {
	conn, err := c.dial(ctx, c.timeout)
	if err != nil {
		return Verdict{}, err
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("zINSTREAM\x00")); err != nil {
		return Verdict{}, fmt.Errorf("%w: start INSTREAM: %w", ErrUnavailable, err)
	}
	buf := make([]byte, 4+c.chunk)
	var sent int64
	for {
		n, rerr := io.ReadFull(r, buf[4:])
		if n > 0 {
			if c.maxBytes > 0 && sent+int64(n) > c.maxBytes {
				return Verdict{Status: TooLarge}, nil
			}
			binary.BigEndian.PutUint32(buf[:4], uint32(n))
			if _, werr := conn.Write(buf[:4+n]); werr != nil {
				// clamd closes the connection when the stream passes its
				// limit, possibly while we write: its answer says why.
				return c.afterWriteError(conn, werr)
			}
			sent += int64(n)
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return Verdict{}, fmt.Errorf("clamav: read input: %w", rerr)
		}
	}
	if _, err := conn.Write([]byte{0, 0, 0, 0}); err != nil {
		return c.afterWriteError(conn, err)
	}
	reply, err := readReply(conn)
	if err != nil {
		return Verdict{}, fmt.Errorf("%w: read verdict: %w", ErrUnavailable, err)
	}
	return parse(reply)
}

// afterWriteError reads whatever clamd answered before it dropped the
// connection; without an answer the write error means clamd is unavailable.
func (c *Client) afterWriteError(conn net.Conn, werr error) (Verdict, error) {
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	reply, err := readReply(conn)
	if err != nil || reply == "" {
		return Verdict{}, fmt.Errorf("%w: send stream: %w", ErrUnavailable, werr)
	}
	return parse(reply)
}

// maxReply bounds clamd's answer.
const maxReply = 4096

// readReply reads one NUL- (or newline-) terminated answer.
func readReply(r io.Reader) (string, error) {
	var out []byte
	buf := make([]byte, 256)
	for len(out) < maxReply {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if i := bytes.IndexAny(out, "\x00\n"); i >= 0 {
			return string(out[:i]), nil
		}
		if err == io.EOF {
			if len(out) > 0 {
				return string(out), nil
			}
			return "", io.ErrUnexpectedEOF
		}
		if err != nil {
			return string(out), err
		}
	}
	return "", fmt.Errorf("answer longer than %d bytes", maxReply)
}

// parse turns clamd's answer to INSTREAM into a verdict.
func parse(reply string) (Verdict, error) {
	reply = strings.TrimSpace(reply)
	switch {
	case reply == "stream: OK":
		return Verdict{Status: Clean}, nil
	case strings.HasPrefix(reply, "stream: ") && strings.HasSuffix(reply, " FOUND"):
		sig := strings.TrimSuffix(strings.TrimPrefix(reply, "stream: "), " FOUND")
		if strings.HasPrefix(sig, "Heuristics.Limits.Exceeded") {
			// AlertExceedsMax: clamd stopped at one of its scan limits.
			return Verdict{Status: TooLarge, Signature: sig}, nil
		}
		return Verdict{Status: Infected, Signature: sig}, nil
	case strings.Contains(reply, "size limit exceeded"):
		return Verdict{Status: TooLarge}, nil
	case strings.HasSuffix(reply, "ERROR"):
		return Verdict{}, fmt.Errorf("%w: clamd answered %q", ErrUnavailable, reply)
	}
	return Verdict{}, fmt.Errorf("%w: unexpected answer %q", ErrUnavailable, reply)
}
