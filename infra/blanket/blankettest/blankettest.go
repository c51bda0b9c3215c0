// Package blankettest runs blanket definitions through the real pipeline
// and runtime in tests: on a fresh Postgres schema (runtimetest), with the
// synthetic registers in memory. What the function emits is read from its
// outbox with the kit's Outbox. Test files import it; nothing else should.
package blankettest

import (
	"context"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime/runtimetest"
)

var (
	dsOnce sync.Once
	ds     *synth.Dataset
	dsErr  error
)

// Dataset returns the synthetic registers the tests share: seed 7, the
// smallest population with every persona, this month as reference.
func Dataset(t testing.TB) *synth.Dataset {
	t.Helper()
	dsOnce.Do(func() {
		ds, dsErr = synth.Generate(synth.Config{Seed: 7, Persons: synth.MinPersons, Companies: synth.MinCompanies,
			Reference: registers.MonthOf(time.Now())})
	})
	if dsErr != nil {
		t.Fatal(dsErr)
	}
	return ds
}

// Persona returns the synthetic persona key and fails the test when there
// is none.
func Persona(t testing.TB, key string) synth.Persona {
	t.Helper()
	p, ok := synth.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	return p
}

// Start runs a function named name that decides defs through the blanket
// pipeline, reading the Dataset.
func Start(t testing.TB, name string, defs ...blanket.Definition) *runtimetest.Kit {
	t.Helper()
	k := runtimetest.Start(t, runtimetest.Options{Name: name})
	pipe, err := blanket.New(Dataset(t), defs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipe.Register(context.Background(), k.Svc); err != nil {
		t.Fatal(err)
	}
	return k
}

// Submission is an event as the accept step forwards it: a fresh id, the
// partition key (the absence or case id for a new blanket), a receipt and
// the stamps of who sent it (the CVR the data names, as the first of the
// blanket's senders).
func Submission(t testing.TB, typ, partition string, data any) cloudevents.Event {
	t.Helper()
	ev, err := events.New(typ, "intake", partition, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev.SetExtension(events.ExtReceipt, "NR-TEST-"+ev.ID()[:8])
	role := "employer"
	if s := events.BlanketSenders(typ); len(s) > 0 {
		role = s[0]
	}
	ev.SetExtension(events.ExtActor, "test-"+role)
	ev.SetExtension(events.ExtActorRole, role)
	ev.SetExtension(events.ExtTenant, "cvr:"+events.BlanketCVR(ev.Data()))
	return ev
}

// Unstamped is Submission without the stamps of who sent it: an event that
// did not come through a way in.
func Unstamped(t testing.TB, typ, partition string, data any) cloudevents.Event {
	t.Helper()
	ev := Submission(t, typ, partition, data)
	for _, ext := range []string{events.ExtActor, events.ExtActorRole, events.ExtTenant} {
		ev.SetExtension(ext, nil)
	}
	return ev
}
