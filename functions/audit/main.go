// Command audit answers ledger queries, signs ledger checkpoints on the
// PingSource tick and answers system probes. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/audit/audit"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	config.Base
	LedgerKeyFile string `envconfig:"LEDGER_KEY_FILE" default:".data/keys/ledger-ed25519.key"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	signer, err := ledger.LoadOrCreateSigner(c.LedgerKeyFile)
	if err != nil {
		slog.Error("ledger key", "err", err.Error())
		os.Exit(1)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "audit", Base: c.Base})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log = svc.Log
	audit.Register(svc, signer, v)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
