package stack

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/digitalpost"
	"nemrefusion.dk/infra/nemsms"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/client"
)

// The stand-ins of Digital Post and NemSMS, below StandInsURL: their own
// loopback listener, never the public origin (they list every letter with
// its recipient's CPR).
const (
	DigitalPostPath = "/_standins/digitalpost"
	NemSMSPath      = "/_standins/nemsms"
)

var (
	digitalPost *digitalpost.StandIn
	nemSMS      *nemsms.StandIn
	standInsURL string
)

// DigitalPost returns the stand-in Digital Post the notify function sends
// to (DIGITALPOST_URL): what it received, deduplicated on messageUUID.
func DigitalPost() *digitalpost.StandIn { return digitalPost }

// StandInsURL is the loopback origin the Digital Post and NemSMS stand-ins
// are served on (DigitalPostPath and NemSMSPath below it).
func StandInsURL() string { return standInsURL }

// startPostStandIns serves the Digital Post and NemSMS stand-ins on a free
// loopback port, as the local stack command does, and returns the
// environment that points the functions at them and a stop func. NemSMS
// asks the registers at registersURL who signed up.
func startPostStandIns(registersURL string) ([]string, func(), error) {
	regs, err := client.New(registersURL)
	if err != nil {
		return nil, nil, err
	}
	digitalPost = digitalpost.NewStandIn()
	nemSMS = nemsms.NewStandIn(func(ctx context.Context, cpr ids.CPR) (bool, error) {
		p, err := regs.Person(ctx, cpr)
		if errors.Is(err, registers.ErrNotFound) {
			return false, nil
		}
		return err == nil && p.NemSMS != "", err
	})
	mux := http.NewServeMux()
	mux.Handle(DigitalPostPath+"/", http.StripPrefix(DigitalPostPath, digitalPost))
	mux.Handle(NemSMSPath+"/", http.StripPrefix(NemSMSPath, nemSMS))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("stand-in Digital Post and NemSMS: " + err.Error())
		}
	}()
	standInsURL = "http://" + ln.Addr().String()
	return []string{"DIGITALPOST_URL=" + standInsURL + DigitalPostPath, "NEMSMS_URL=" + standInsURL + NemSMSPath}, func() { _ = srv.Close() }, nil
}
