// Package waiting is the ventefunktion (seeds/000 § 1 stk. 4) and the
// senders' alerts (§ 1 stk. 3). A sender saves a prepared blanket with the
// date it becomes due; it is held here and never sent to any authority
// until the sender submits it, which is one action. Saving schedules
// reminders (reminder.scheduled.v1, planned by functions/reminder/plan):
// on the due day and three days before the legal deadline. Submitting or
// deleting cancels them (reminder.cancelled.v1 by subject).
//
// It consumes reminder.due.v1 and alerts the audience: a sender gets an
// inbox message (GET /api/v1/inbox), an e-mail to the profile's address
// (recorded in a stand-in outbox table; no e-mail service is in scope) and,
// when the profile has a number, an SMS (recorded the same way:
// sms.requested.v1 addresses people by CPR only). A citizen gets the SMS
// through sms.requested.v1 (notify checks NemSMS once more).
//
// It consumes blanket.rejected.v1 the same way: a submission the blanket's
// function refused after intake's receipt becomes one message to the
// sender (the form's name, the receipt number and every reason in Danish
// and English) with the same alerts (rejected.go).
//
// Storing (POST and PUT) applies the accept step's preparation policy
// (accept.CheckPrepare: only a blanket the login's role may send, for a CVR
// it may act for). Submission goes through the same accept step as intake
// (nemrefusion.dk/infra/accept: the submission policy with the fresh login
// for signing, the stream claimed for the sender, the stamps, a receipt, the
// ledger entry, the outbox), in the same transaction that marks the form
// submitted and cancels its reminders: one atomic step, no synchronous call
// to another function.
package waiting

import (
	"embed"
	"io/fs"
	"net/http"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the waiting function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Clock tells the time (tests pass their own).
type Clock func() time.Time

// Waiting is the function's logic over one runtime.Service.
type Waiting struct {
	svc   *runtime.Service
	front *accept.Front
	now   Clock
	// Authn wraps every public route: it must authenticate the caller and
	// put the auth.Principal in the request context (auth.Require does).
	authn func(http.Handler) http.Handler
}

// New returns the waiting logic of svc. front is the accept step shared
// with intake (accept.New on svc, with the same clock); authn authenticates
// the public routes (main passes auth.Require); now may be nil (wall
// clock).
func New(svc *runtime.Service, front *accept.Front, authn func(http.Handler) http.Handler, now Clock) *Waiting {
	if now == nil {
		now = time.Now
	}
	return &Waiting{svc: svc, front: front, now: now, authn: authn}
}

// Register adds the routes and the handlers of reminder.due and
// blanket.rejected.
func (w *Waiting) Register() {
	route := func(pattern string, h http.HandlerFunc) { w.svc.Mux.Handle(pattern, w.authn(h)) }
	route("POST /api/v1/prepared", w.create)
	route("GET /api/v1/prepared", w.list)
	route("GET /api/v1/prepared/{id}", w.get)
	route("PUT /api/v1/prepared/{id}", w.update)
	route("POST /api/v1/prepared/{id}/submit", w.submit)
	route("DELETE /api/v1/prepared/{id}", w.delete)
	route("GET /api/v1/inbox", w.inbox)
	route("GET /api/v1/inbox/settings", w.getSettings)
	route("PUT /api/v1/inbox/settings", w.putSettings)
	runtime.On(w.svc, events.ReminderDue, w.HandleDue)
	runtime.On(w.svc, events.BlanketRejected, w.HandleRejected)
}
