// Package dfdg is the data-foundation feed (seeds/004 chapter 37): it
// records the sick, recovery and cancellation notices the sickness rules
// ask for, answers the lookups of the municipalities an absence was
// delivered to, and tells a municipality that looked before the recovery
// was registered when it arrives (§ 133 stk. 3) by asking the delivery
// function to put an item in that municipality's stream.
//
// It reads no other function's tables: which municipalities an absence
// was delivered to is its own projection of delivery.requested.
//
// Hazards: handlers must stay idempotent (the inbox stops exact
// redeliveries; a notice's key is its event's source and id, a
// notification's item id is fixed per absence and subscriber).
package dfdg

import (
	"embed"
	"io/fs"
	"net/http"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the dfdg function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Function is the running dfdg function.
type Function struct {
	svc    *runtime.Service
	verify *auth.Verifier
}

// Register wires the dfdg handlers and routes into svc. Public routes
// verify tokens with v.
func Register(svc *runtime.Service, v *auth.Verifier) *Function {
	f := &Function{svc: svc, verify: v}
	if v != nil && v.Ledger == nil {
		v.Ledger = svc.DB
	}
	runtime.On(svc, events.DfdgNoticeRequested, f.onNotice)
	runtime.On(svc, events.DeliveryRequested, f.onDeliveryRequested)
	svc.Mux.Handle("GET /api/v1/dfdg/absences/{id}", auth.Require(v)(http.HandlerFunc(f.lookup)))
	return f
}
