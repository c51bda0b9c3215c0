// Command documents takes uploads into quarantine, has ClamAV scan them and
// releases only clean ones. main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/documents/documents"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/s3"
)

// Config is the function's configuration.
type Config struct {
	config.Base
	documents.Config
}

func main() {
	ctx := signals.NewContext()
	var c Config
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	fail := func(what string, err error) {
		slog.Error(what, "err", err.Error())
		os.Exit(1)
	}
	store, err := s3.New(s3.FromBase(c.Base))
	if err != nil {
		fail("s3", err)
	}
	if err := store.EnsureBuckets(ctx, c.BucketQuarantine, c.BucketDocuments); err != nil {
		fail("buckets", err)
	}
	// The scanner stops at the upload limit itself too, so a larger stream
	// is TooLarge whatever clamd's own StreamMaxLength is.
	scanner := clamav.New(c.ClamdAddr, clamav.WithMaxBytes(c.MaxBytes))
	svc, err := runtime.New(ctx, runtime.Options{Name: "documents", Base: c.Base, Migrations: documents.Migrations()})
	if err != nil {
		fail("start", err)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log, v.Ledger = svc.Log, svc.DB
	fn, err := documents.Register(svc, documents.Deps{Store: store, Scanner: scanner, Quarantine: c.BucketQuarantine,
		Documents: c.BucketDocuments, Config: c.Config, Verifier: v})
	if err != nil {
		fail("register", err)
	}
	go fn.Run(ctx)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
