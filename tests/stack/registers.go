package stack

import (
	"errors"
	"net"
	"net/http"
	"time"

	"nemrefusion.dk/infra/registers/standin"
	"nemrefusion.dk/infra/registers/synth"
)

var (
	registersServer *standin.Server
	registersLive   *standin.Live
)

// Registers returns the stand-in CPR, CVR and eIndkomst registers the
// functions read (REGISTERS_URL); tests call SetDown(true) to simulate a
// register that is down, and must set it back.
func Registers() *standin.Server { return registersServer }

// Dataset returns the synthetic Denmark the stand-ins serve (the default
// seed, reference month the current month).
func Dataset() *synth.Dataset { return registersLive.Dataset() }

// startRegisters serves the stand-in registers of the data directory's seed
// file (the default when absent) on a free loopback port, as the local
// stack command does, and returns their URL and a stop func.
func startRegisters(dataDir string) (string, func(), error) {
	live, err := standin.NewLive(standin.SeedPath(dataDir))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	registersLive, registersServer = live, standin.New(live)
	srv := &http.Server{Handler: registersServer, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic("stand-in registers: " + err.Error())
		}
	}()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
