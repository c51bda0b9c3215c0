package stack

import (
	"context"
	"errors"
	"net/http"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/client"
)

// The stand-ins of Digital Post and NemSMS, mounted on the public origin.
const (
	DigitalPostPath = "/_standins/digitalpost"
	NemSMSPath      = "/_standins/nemsms"
)

var (
	digitalPost *digitalpost.StandIn
	nemSMS      *nemsms.StandIn
)

// DigitalPost returns the stand-in Digital Post the notify function sends
// to (DIGITALPOST_URL): what it received, deduplicated on messageUUID.
func DigitalPost() *digitalpost.StandIn { return digitalPost }

// NemSMS returns the stand-in NemSMS (NEMSMS_URL).
func NemSMS() *nemsms.StandIn { return nemSMS }

// postStandIns adds the Digital Post and NemSMS stand-ins to mounts (on the
// public origin publicURL) and returns the environment that points the
// functions at them. NemSMS asks the registers at registersURL who signed up.
func postStandIns(mounts map[string]http.Handler, publicURL, registersURL string) ([]string, error) {
	regs, err := client.New(registersURL)
	if err != nil {
		return nil, err
	}
	digitalPost = digitalpost.NewStandIn()
	nemSMS = nemsms.NewStandIn(func(ctx context.Context, cpr ids.CPR) (bool, error) {
		p, err := regs.Person(ctx, cpr)
		if errors.Is(err, registers.ErrNotFound) {
			return false, nil
		}
		return err == nil && p.NemSMS != "", err
	})
	mounts[DigitalPostPath+"/"] = http.StripPrefix(DigitalPostPath, digitalPost)
	mounts[NemSMSPath+"/"] = http.StripPrefix(NemSMSPath, nemSMS)
	return []string{"DIGITALPOST_URL=" + publicURL + DigitalPostPath, "NEMSMS_URL=" + publicURL + NemSMSPath}, nil
}
