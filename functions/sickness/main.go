// Command sickness is the sickness function: it decides the sickness
// blankets (employer, self-employed, a-kasse, early follow-up and the
// follow-ups on an absence) through the generic blanket pipeline, and
// answers the refusion preview. main only wires.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/sickness/sickness"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	blanket.Config
	// ProvisionalRates are provisional maximum rates, "2025=4845,2026=4945"
	// (kroner per week), registered at start for years the rate table has
	// no rate for (the local stack). NOT the law: every result using one
	// says so. An administrator registers and publishes rates with
	// /api/v1/admin/rates (nrctl rates).
	ProvisionalRates string `envconfig:"SICKNESS_PROVISIONAL_RATES"`
}

func main() {
	ctx := signals.NewContext()
	var c cfg
	if err := config.Load(&c); err != nil {
		slog.Error("config", "err", err.Error())
		os.Exit(2)
	}
	rates, err := kernel.LoadRates(c.ProvisionalRates)
	if err != nil {
		slog.Error("rates", "err", err.Error())
		os.Exit(2)
	}
	h := &sickness.Handler{Rates: rates}
	setup := func(ctx context.Context, svc *runtime.Service, pipe *blanket.Pipeline, v *auth.Verifier) error {
		if err := h.SetupRates(ctx, svc, pipe, v, c.ProvisionalRates); err != nil {
			return err
		}
		h.SetupDispensation(svc, pipe, v)
		h.SetupCitizenRecovery(svc, pipe)
		return nil
	}
	os.Exit(blanket.Main(ctx, c.Config, blanket.Function{
		Name:         "sickness",
		Definitions:  h.Definitions(),
		PreviewPath:  sickness.PreviewPath,
		Preview:      h.Preview(time.Now),
		PreviewRoles: []auth.Role{auth.Role(events.SenderEmployer), auth.Role(events.SenderPayrollSystem), auth.Role(events.SenderSelfEmployed), auth.Role(events.SenderAKasse)},
		Setup:        setup,
	}))
}
