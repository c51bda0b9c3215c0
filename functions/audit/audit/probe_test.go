package audit_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/audit/audit"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

// TestIssue16ProbeWithoutStampsOrIntoAReservedStreamIsRefused: the audit
// function answered any probe, stamped by the accept step or not, in any
// stream, so one that reached it another way (straight from the broker's
// ingress) wrote into the reserved read log. Now only a stamped probe into
// an ordinary stream is recorded; the others are a permanent 400 with
// nothing in the ledger.
func TestIssue16ProbeWithoutStampsOrIntoAReservedStreamIsRefused(t *testing.T) {
	t.Parallel()
	k := runtimetest.Start(t, runtimetest.Options{Name: "audit"})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	audit.Register(k.Svc, ledger.NewSigner(key), k.Verifier(t))

	probe := func(stream string, stamped bool) (int, string) {
		ev, err := events.New(events.ProbeRequested, "intake", stream, map[string]string{"note": "x"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if stamped {
			ev.SetExtension(events.ExtTenant, "cvr:30000005")
			ev.SetExtension(events.ExtActor, "employer-1")
			ev.SetExtension(events.ExtActorRole, "employer")
		}
		return k.Post(t, ev)
	}
	for name, c := range map[string]struct {
		stream  string
		stamped bool
		want    int
	}{
		"unstamped":       {"probe-" + uuid.NewString(), false, http.StatusBadRequest},
		"read log":        {"reads/" + uuid.NewString(), true, http.StatusBadRequest},
		"access-denied":   {"access-denied", true, http.StatusBadRequest},
		"stamped, normal": {"probe-" + uuid.NewString(), true, http.StatusAccepted},
	} {
		code, body := probe(c.stream, c.stamped)
		if code/100 != c.want/100 {
			t.Errorf("%s: %d %s, want %d", name, code, body, c.want)
		}
		n := len(k.Ledger(t, c.stream))
		if c.want/100 == 2 && n != 1 {
			t.Errorf("%s: %d ledger entries, want 1", name, n)
		}
		if c.want/100 != 2 && c.stream != "access-denied" && n != 0 {
			t.Errorf("%s: %d ledger entries, want none", name, n)
		}
	}
}
