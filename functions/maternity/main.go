// Command maternity is the parental-leave function: it decides the
// parental blankets (the employer's refusion request, the self-employed's
// barselsdagpenge, the a-kasse's information — all for Udbetaling
// Danmark) through the generic blanket pipeline, and answers the parental
// refusion preview. main only wires.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"knative.dev/pkg/signals"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/maternity/maternity"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/config"
	"nemrefusion.dk/infra/runtime"
)

type cfg struct {
	blanket.Config
	// ProvisionalRates are provisional maximum rates, "2026=4845" (kroner
	// per week), shared with the sickness function: the barselsdagpenge
	// maximum is the sygedagpenge maximum. NOT the law: every result using
	// one says so. They seed the function's copy of the rates for years
	// without one; the copy is then kept from rate.registered.
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
	h := &maternity.Handler{Rates: rates}
	os.Exit(blanket.Main(ctx, c.Config, blanket.Function{
		Name:         "maternity",
		Definitions:  h.Definitions(),
		PreviewPath:  maternity.PreviewPath,
		Preview:      h.Preview(time.Now),
		PreviewRoles: []auth.Role{auth.Role(events.SenderEmployer), auth.Role(events.SenderPayrollSystem)},
		Setup: func(ctx context.Context, svc *runtime.Service, pipe *blanket.Pipeline, _ *auth.Verifier) error {
			return h.SetupRates(ctx, svc, pipe, c.ProvisionalRates)
		},
	}))
}
