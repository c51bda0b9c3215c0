// Command subsidy is the subsidy function: it decides the subsidy blankets
// (wage subsidy, flexjob subsidy, job clarification refusion, adult
// apprentice subsidy, mentor subsidy and the self-employed's § 136 support
// — all for the municipality, without feedback, and without notification
// letter except job clarification)
// through the generic blanket pipeline, and answers the subsidy preview.
// main only wires.
package main

import (
	"log/slog"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/subsidy/grants"
	"nemrefusion.dk/functions/subsidy/subsidy"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/config"
)

func main() {
	ctx := signals.NewContext()
	var c blanket.Config
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	caps, err := grants.DefaultCaps()
	if err != nil {
		slog.Error("caps", "err", err.Error())
		os.Exit(2)
	}
	rates, err := grants.DefaultRates()
	if err != nil {
		slog.Error("rates", "err", err.Error())
		os.Exit(2)
	}
	h := &subsidy.Handler{Caps: caps, Rates: rates}
	os.Exit(blanket.Main(ctx, c, blanket.Function{
		Name:         "subsidy",
		Definitions:  h.Definitions(),
		PreviewPath:  subsidy.PreviewPath,
		Preview:      h.Preview(time.Now),
		PreviewRoles: []auth.Role{auth.Role(events.SenderEmployer), auth.Role(events.SenderPayrollSystem), auth.Role(events.SenderSelfEmployed)},
	}))
}
