// Command audit answers ledger queries, signs ledger checkpoints (every
// LEDGER_CHECKPOINT_EVERY while it runs, and on the PingSource tick),
// publishes them with inclusion proofs, and answers system probes. main
// only wires.
package main

import (
	"crypto/ed25519"
	"log/slog"
	"os"
	"slices"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/audit/audit"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	config.Base
	// LedgerKeyFile is the checkpoint signing key (PEM PKCS #8 Ed25519): the
	// Secret nemrefusion-ledger-key in a cluster, .data/keys/ in the local
	// stack, which makes it. audit never makes one.
	LedgerKeyFile string `envconfig:"LEDGER_KEY_FILE" default:".data/keys/ledger-ed25519.key"`
	// LedgerTrustedKeysFile and LedgerTrustedKeys name the keys verifiers
	// trust; when given, audit refuses to start with a signing key outside them.
	LedgerTrustedKeysFile string `envconfig:"LEDGER_TRUSTED_KEYS_FILE"`
	LedgerTrustedKeys     string `envconfig:"LEDGER_TRUSTED_KEYS"`
	// CheckpointEvery is how often a checkpoint signs the heads that moved
	// (0: only on the PingSource tick, every minute).
	CheckpointEvery time.Duration `envconfig:"LEDGER_CHECKPOINT_EVERY" default:"10s"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	signer, err := ledger.LoadSigner(c.LedgerKeyFile)
	if err != nil {
		slog.Error("ledger key", "err", err.Error())
		os.Exit(1)
	}
	var trusted []ed25519.PublicKey
	if c.LedgerTrustedKeysFile != "" {
		if trusted, err = ledger.LoadTrustedKeys(c.LedgerTrustedKeysFile); err != nil {
			slog.Error("ledger trusted keys", "err", err.Error())
			os.Exit(2)
		}
	}
	if c.LedgerTrustedKeys != "" {
		k, err := ledger.ParseTrustedKeys([]byte(c.LedgerTrustedKeys))
		if err != nil {
			slog.Error("ledger trusted keys", "err", err.Error())
			os.Exit(2)
		}
		trusted = append(trusted, k...)
	}
	if len(trusted) > 0 && !slices.ContainsFunc(trusted, func(k ed25519.PublicKey) bool { return k.Equal(signer.PublicKey()) }) {
		slog.Error("ledger key: the signing key is not among the trusted keys; its checkpoints would verify nowhere", "keyId", signer.KeyID)
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "audit", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log = svc.Log
	audit.Register(svc, signer, v)
	if c.CheckpointEvery > 0 {
		go audit.KeepSigned(ctx, svc, signer, c.CheckpointEvery)
	}
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
