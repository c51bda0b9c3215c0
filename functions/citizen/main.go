// Command citizen is the sick person's self-service Mit Sygefravær: tasks,
// the information form's drafts, signed answers and receipts. main only
// wires.
package main

import (
	"log/slog"
	"os"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/functions/citizen/citizen"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime"
)

// Config is the function's configuration.
type Config struct {
	config.Base
	auth.Config
	// DPOBaseURL is citizen.Config.DPOBaseURL.
	DPOBaseURL string `envconfig:"CITIZEN_DPO_BASE_URL"`
	// SyntheticDPO links every synthetic municipality to its synthetic DPO
	// page when its administrator has set none (so no page of Mit
	// Sygefravær says none is configured). Off in production, like
	// DELIVERY_SYNTHETIC_POPULATION.
	SyntheticDPO bool `envconfig:"CITIZEN_SYNTHETIC_DPO" default:"true"`
}

func main() {
	ctx := signals.NewContext()
	var c Config
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	svc, err := runtime.New(ctx, runtime.Options{Name: "citizen", Base: c.Base, Migrations: citizen.Migrations()})
	if err != nil {
		slog.Error("start", "err", err.Error())
		os.Exit(1)
	}
	v := auth.NewVerifier(c.OIDCIssuer, c.OIDCAudience)
	v.Log, v.Ledger = svc.Log, svc.DB
	cc := citizen.Config{DPOBaseURL: c.DPOBaseURL}
	if c.SyntheticDPO {
		cc.DPOSeed = synth.DPOLink
	}
	citizen.Register(svc, v, c.SigningMaxAge, cc)
	if err := svc.Run(ctx); err != nil {
		svc.Log.Error("stopped", "err", err.Error())
		os.Exit(1)
	}
}
