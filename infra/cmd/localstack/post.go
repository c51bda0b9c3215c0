package main

import (
	"context"
	"errors"
	"net/http"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/localstack"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/client"
)

// mountPostStandIns mounts the stand-in Digital Post (with its paper-print
// queue) and NemSMS on the public origin publicURL, under /_standins/, and
// points the functions at them (DIGITALPOST_URL, NEMSMS_URL). NemSMS asks
// the registers at registersURL who signed up. What they received is listed
// at /_standins/digitalpost/memo/v1/received and
// /_standins/nemsms/nemsms/v1/received.
func mountPostStandIns(cfg *localstack.Config, publicURL, registersURL string) error {
	regs, err := client.New(registersURL)
	if err != nil {
		return err
	}
	sms := nemsms.NewStandIn(func(ctx context.Context, cpr ids.CPR) (bool, error) {
		p, err := regs.Person(ctx, cpr)
		if errors.Is(err, registers.ErrNotFound) {
			return false, nil
		}
		return err == nil && p.NemSMS != "", err
	})
	if cfg.Mounts == nil {
		cfg.Mounts = map[string]http.Handler{}
	}
	cfg.Mounts["/_standins/digitalpost/"] = http.StripPrefix("/_standins/digitalpost", digitalpost.NewStandIn())
	cfg.Mounts["/_standins/nemsms/"] = http.StripPrefix("/_standins/nemsms", sms)
	cfg.Env = append(cfg.Env, "DIGITALPOST_URL="+publicURL+"/_standins/digitalpost", "NEMSMS_URL="+publicURL+"/_standins/nemsms")
	return nil
}
