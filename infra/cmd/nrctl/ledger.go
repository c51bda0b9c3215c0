package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
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
	// defaultTrustedKeysFile is the local stack's public key file, written
	// next to the signing key at start.
	defaultTrustedKeysFile = ".data/keys/ledger-ed25519.pub"
)

func init() {
	register("ledger", "verify the audit ledger, show a stream, make a checkpoint (nrctl ledger help)", runLedger)
}

var ledgerCommands = map[string]struct {
	summary string
	run     commandFunc
}{
	"verify": {"[--all] [--key FILE]... [--database URL]  recompute every entry and checkpoint, trusting only the given\n" +
		"             public keys; exit 1 naming the first broken entry (verify an exported copy: restore it and give its URL)", ledgerVerify},
	"show":       {"[--payload] [--limit N] STREAM  list a stream's entries", ledgerShow},
	"checkpoint": {"sign the heads that moved since the last checkpoint now (with LEDGER_KEY_FILE; never registers a key)", ledgerCheckpoint},
	"pubkey":     {"print the checkpoint signing key's id and public key (base64, for LEDGER_TRUSTED_KEYS)", ledgerPubkey},
	"keygen":     {"--out FILE  make a new signing key (for a cluster's Secret) and print its public key (PEM)", ledgerKeygen},
}

func ledgerUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: nrctl ledger <verify|show|checkpoint|pubkey|keygen>")
	for _, n := range []string{"verify", "show", "checkpoint", "pubkey", "keygen"} {
		fmt.Fprintf(w, "  %-10s %s\n", n, ledgerCommands[n].summary)
	}
	fmt.Fprintln(w, "environment: DATABASE_URL, LEDGER_KEY_FILE (default "+defaultKeyFile+"),")
	fmt.Fprintln(w, "  LEDGER_TRUSTED_KEYS (comma-separated base64 Ed25519 public keys) and LEDGER_TRUSTED_KEYS_FILE")
	fmt.Fprintln(w, "  (PEM public keys; default "+defaultTrustedKeysFile+" when it exists): the only keys verify trusts;")
	fmt.Fprintln(w, "  keys stored in the database are never trusted, and with none configured verify refuses (exit 2)")
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

// trustedKeys collects the keys verify trusts: every --key FILE, then
// LEDGER_TRUSTED_KEYS and LEDGER_TRUSTED_KEYS_FILE; only when none of
// these is given, the local stack's public key file if it exists. No key at
// all is a usage error: verify never trusts what the database says.
func trustedKeys(e *env, files []string) ([]ed25519.PublicKey, string, error) {
	var keys []ed25519.PublicKey
	var from []string
	for _, f := range files {
		k, err := ledger.LoadTrustedKeys(f)
		if err != nil {
			return nil, "", usageErr("--key: %v", err)
		}
		keys = append(keys, k...)
		from = append(from, f)
	}
	if v := e.getenv("LEDGER_TRUSTED_KEYS"); strings.TrimSpace(v) != "" {
		k, err := ledger.ParseTrustedKeys([]byte(v))
		if err != nil {
			return nil, "", usageErr("LEDGER_TRUSTED_KEYS: %v", err)
		}
		keys = append(keys, k...)
		from = append(from, "LEDGER_TRUSTED_KEYS")
	}
	file := e.getenv("LEDGER_TRUSTED_KEYS_FILE")
	if file == "" && len(keys) == 0 {
		if _, err := os.Stat(defaultTrustedKeysFile); err == nil {
			file = defaultTrustedKeysFile
		}
	}
	if file != "" {
		k, err := ledger.LoadTrustedKeys(file)
		if err != nil {
			return nil, "", usageErr("LEDGER_TRUSTED_KEYS_FILE: %v", err)
		}
		keys = append(keys, k...)
		from = append(from, file)
	}
	if len(keys) == 0 {
		return nil, "", usageErr("%v", ledger.ErrNoTrustedKeys)
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = ledger.KeyIDOf(k)
	}
	return keys, strings.Join(ids, ", ") + " (from " + strings.Join(from, ", ") + ")", nil
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func ledgerVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ledger verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	all := fs.Bool("all", false, "list every problem kept (up to 100), not only the first")
	var keyFiles listFlag
	fs.Var(&keyFiles, "key", "a file of trusted public keys (PEM, or base64 lines); may be repeated")
	database := fs.String("database", "", "the database to verify (default DATABASE_URL), e.g. a restored copy")
	if err := fs.Parse(splitFlags(args, "key", "database")); err != nil {
		return usageErr("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("ledger verify takes no arguments")
	}
	trusted, which, err := trustedKeys(e, keyFiles)
	if err != nil {
		return err
	}
	if *database != "" {
		vars := e.getenv
		e = &env{stdout: e.stdout, stderr: e.stderr, getenv: func(k string) string {
			if k == "DATABASE_URL" {
				return *database
			}
			return vars(k)
		}}
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
	fmt.Fprintf(e.stdout, "trusted keys: %s\n", which)
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

// loadSigner reads the configured signing key; it never makes one (a new
// key would sign checkpoints nobody trusts).
func loadSigner(e *env) (ledger.Signer, error) {
	s, err := ledger.LoadSigner(e.get("LEDGER_KEY_FILE", defaultKeyFile))
	if err != nil {
		return s, fmt.Errorf("%w (the local stack makes the key at start; in a cluster it is the Secret nemrefusion-ledger-key)", err)
	}
	return s, nil
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

func ledgerKeygen(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("ledger keygen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	out := fs.String("out", "", "where to write the new private key (must not exist)")
	if err := fs.Parse(args); err != nil {
		return usageErr("%v", err)
	}
	if *out == "" || fs.NArg() > 0 {
		return usageErr("usage: nrctl ledger keygen --out FILE")
	}
	if _, err := os.Stat(*out); err == nil {
		return usageErr("%s exists; keygen never replaces a key", *out)
	}
	s, err := ledger.LoadOrCreateSigner(*out)
	if err != nil {
		return err
	}
	pub, err := ledger.MarshalPublicKey(s.PublicKey())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# %s: give this to verifiers (LEDGER_TRUSTED_KEYS_FILE, nrctl ledger verify --key)\n%s", s.KeyID, pub)
	return nil
}
