// Command notify writes and sends letters (PDF + MeMo by Digital Post, or
// on paper) and SMS (NemSMS), and serves a sender's receipt letters again
// (GET /api/v1/receipts/{receipt}). main only wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/notify/notify"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers/cache"
	"nemrefusion.dk/infra/runtime"
	"nemrefusion.dk/infra/s3"
)

// Config is notify's configuration.
type Config struct {
	config.Base
	cache.Config
	// DigitalPostURL is the Digital Post service (the local stack serves a stand-in).
	DigitalPostURL string `envconfig:"DIGITALPOST_URL" default:"http://127.0.0.1:8097/_standins/digitalpost"`
	// NemSMSURL is the NemSMS service (the local stack serves a stand-in).
	NemSMSURL string `envconfig:"NEMSMS_URL" default:"http://127.0.0.1:8097/_standins/nemsms"`
	// MitSygefravaerURL is Mit Sygefravær, the link in the sick person's
	// letters (seeds/003); the default is the local portal's.
	MitSygefravaerURL string `envconfig:"MIT_SYGEFRAVAER_URL" default:"http://localhost:8080/mit-sygefravaer"`
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
	if err := store.EnsureBuckets(ctx, c.BucketLetters); err != nil {
		fail("buckets", err)
	}
	post, err := digitalpost.NewClient(c.DigitalPostURL)
	if err != nil {
		fail("digitalpost", err)
	}
	sms, err := nemsms.NewClient(c.NemSMSURL)
	if err != nil {
		fail("nemsms", err)
	}
	persons, closeCache, err := cache.Open(c.Config, c.RedisURL, slog.Default())
	if err != nil {
		fail("registers", err)
	}
	defer closeCache()
	svc, err := runtime.New(ctx, runtime.Options{Name: "notify", Base: c.Base, Migrations: notify.Migrations()})
	if err != nil {
		fail("start", err)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log, v.Ledger = svc.Log, svc.DB
	notify.Register(svc, notify.Deps{Persons: persons, Companies: persons, Post: post, SMS: sms, Store: store,
		Bucket: c.BucketLetters, Verify: v, Portal: c.MitSygefravaerURL})
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
