package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/infra/ledger"
)

const (
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultKeyFile     = ".data/keys/ledger-ed25519.key"
)

func init() {
	register("ledger", "verify the audit ledger, show a stream, make a checkpoint (nrctl ledger help)", runLedger)
}

var ledgerCommands = map[string]struct {
	summary string
	run     commandFunc
}{
	"verify":     {"[--all]  recompute every entry and checkpoint; exit 1 naming the first broken entry", ledgerVerify},
	"show":       {"[--payload] [--limit N] STREAM  list a stream's entries", ledgerShow},
	"checkpoint": {"sign the heads of all streams now", ledgerCheckpoint},
	"pubkey":     {"print the checkpoint signing key's id and public key (base64, for LEDGER_TRUSTED_KEYS)", ledgerPubkey},
}

func ledgerUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl ledger <verify|show|checkpoint|pubkey>")
	for _, n := range []string{"verify", "show", "checkpoint", "pubkey"} {
		fmt.Fprintf(w, "  %-10s %s\n", n, ledgerCommands[n].summary)
	}
	fmt.Fprintln(w, "environment: DATABASE_URL, LEDGER_KEY_FILE (default "+defaultKeyFile+"),")
	fmt.Fprintln(w, "  LEDGER_TRUSTED_KEYS (comma-separated base64 Ed25519 public keys; when set, only they may sign checkpoints)")
}

func runLedger(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		ledgerUsage(e.stdout)
		if len(args) == 0 {
			return &exitError{code: 2}
		}
		return nil
	}
	sub, ok := ledgerCommands[args[0]]
	if !ok {
		ledgerUsage(e.stderr)
		return usageErr("unknown ledger command %q", args[0])
	}
	return sub.run(ctx, e, args[1:])
}

func openPool(ctx context.Context, e *env) (*pgxpool.Pool, error) {
	pool, err := pgxpool.New(ctx, e.get("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	return pool, nil
}

// trustedKeys parses LEDGER_TRUSTED_KEYS.
func trustedKeys(e *env) ([]ed25519.PublicKey, error) {
	var keys []ed25519.PublicKey
	for _, s := range strings.Split(e.getenv("LEDGER_TRUSTED_KEYS"), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, usageErr("LEDGER_TRUSTED_KEYS: %q is not a base64 Ed25519 public key", s)
		}
		keys = append(keys, ed25519.PublicKey(b))
	}
	return keys, nil
}

func ledgerVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ledger verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	all := fs.Bool("all", false, "list every problem kept (up to 100), not only the first")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("ledger verify takes no arguments")
	}
	trusted, err := trustedKeys(e)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	start := time.Now()
	r, err := ledger.Verify(ctx, pool, trusted)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s in %s\n", r, time.Since(start).Round(time.Millisecond))
	if *all {
		for _, p := range r.Problems {
			fmt.Fprintf(e.stdout, "  %s\n", p)
		}
	}
	if !r.OK() {
		return foundProblems()
	}
	return nil
}

func ledgerShow(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ledger show", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	payload := fs.Bool("payload", false, "include payloads (personal data: mind who is watching)")
	limit := fs.Int("limit", 0, "show only the last N entries (0: all)")
	if err := fs.Parse(splitFlags(args, "limit")); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() != 1 {
		return usageErr("usage: nrctl ledger show [--payload] [--limit N] STREAM")
	}
	pool, err := openPool(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	recs, err := ledger.Stream(ctx, pool, fs.Arg(0), *limit)
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return &exitError{code: 1, err: fmt.Errorf("stream %q has no entries", fs.Arg(0))}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	header := "SEQ\tTIME (UTC)\tEVENT TYPE\tACTOR\tROLE\tHASH"
	if *payload {
		header += "\tPAYLOAD"
	}
	fmt.Fprintln(tw, header)
	for _, r := range recs {
		line := strings.Join([]string{strconv.FormatInt(r.Seq, 10), r.RecordedAt.Format("2006-01-02 15:04:05.000000"),
			r.EventType, r.Actor, r.Role, hex.EncodeToString(r.Hash)[:16]}, "\t")
		if *payload {
			line += "\t" + showPayload(r.Payload)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

// showPayload prints text payloads as they are (tabs and newlines escaped)
// and others in base64.
func showPayload(p []byte) string {
	if !utf8.Valid(p) {
		return "base64:" + base64.StdEncoding.EncodeToString(p)
	}
	return strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`).Replace(string(p))
}

func loadSigner(e *env) (ledger.Signer, error) {
	return ledger.LoadOrCreateSigner(e.get("LEDGER_KEY_FILE", defaultKeyFile))
}

func ledgerCheckpoint(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErr("ledger checkpoint takes no arguments")
	}
	s, err := loadSigner(e)
	if err != nil {
		return err
	}
	pool, err := openPool(ctx, e)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := ledger.Migrate(ctx, pool); err != nil {
		return err
	}
	c, err := ledger.Checkpoint(ctx, pool, s)
	if err != nil {
		return err
	}
	state := "made"
	if c.Unchanged {
		state = "unchanged since"
	}
	fmt.Fprintf(e.stdout, "checkpoint %d %s %s: %d streams, root %x, key %s, digest %x\n",
		c.ID, state, c.CreatedAt.Format(time.RFC3339), c.Streams, c.MerkleRoot, c.KeyID, c.Digest())
	return nil
}

func ledgerPubkey(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usageErr("ledger pubkey takes no arguments")
	}
	s, err := loadSigner(e)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s %s\n", s.KeyID, base64.StdEncoding.EncodeToString(s.PublicKey()))
	return nil
}
