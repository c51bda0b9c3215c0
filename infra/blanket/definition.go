// Package blanket is the generic pipeline every blanket family (sickness,
// parental leave, the subsidies) runs its submissions through, so that a
// new blanket is a registry entry and a Decide function, not new plumbing
// (seeds/001: "nem at udvide med nye blanketter, afsendere og modtagere").
//
// A Definition is a blanket of the registry (events.Blanket: its type, the
// login roles that may send it, its recipient rule, whether the sender
// gets feedback, seeds/000 § 1 stk. 3, and whether the person gets a
// notification letter, § 1 stk. 8) with its Decide function: the family's
// own code that gets the decoded data, loads its case, calls its pure rules
// and returns an Outcome. Define makes one. The Pipeline does the rest in
// the one transaction the runtime gives each event: the schema and the
// domain checks (one decode), the register lookups for the
// recipient (the person's residence at signing, or the workplace when
// abroad) and the P-unit's company, the case row, the ledger entry with
// every reason, and the events: the delivery to the recipient, the receipt
// and notification letters, the sick person's tasks, the reminders, the
// family's own events, the feedback — or, when the rules refuse the
// submission, the rejection with every field error.
//
// No domain rules live here: what is late, what is owed and which tasks are
// due is the family's business, in its Decide.
package blanket

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// Definition is one blanket: its registry entry and its Decide.
type Definition struct {
	events.Blanket
	decide func(ctx context.Context, env *Env, data any) (Outcome, error)
}

// Decider decides one submission whose data the pipeline decoded into T
// (the blanket's Go type in events/) and checked (schema and domain). It
// runs inside the event's transaction: it may read and lock its case
// through env, and must not write anything itself; the pipeline stores the
// Outcome. It returns events.FieldErrors for a submission the rules refuse
// (the pipeline records and reports the rejection), any other error to
// fail the delivery (a *runtime.Error of kind Unavailable is retried).
type Decider[T any] func(ctx context.Context, env *Env, data T) (Outcome, error)

// Define returns the Definition of the registered blanket typ decided by
// decide. It panics when typ is not in the registry or T is not its data
// type: both are programming errors the function's tests catch at start.
func Define[T any](typ string, decide Decider[T]) Definition {
	b, ok := events.BlanketOf(typ)
	if !ok {
		panic("blanket: " + typ + " is not in the registry (events/registry.go)")
	}
	if _, ok := b.Zero().(T); !ok {
		panic(fmt.Sprintf("blanket: %s decodes into %T, not the Decider's type", typ, b.Zero()))
	}
	return Definition{Blanket: b, decide: func(ctx context.Context, env *Env, data any) (Outcome, error) {
		return decide(ctx, env, data.(T))
	}}
}

// Registers are the register lookups the pipeline and Decide functions may
// use (infra/registers/client against REGISTERS_URL, or a cached lookup).
type Registers interface {
	registers.PersonRegister
	registers.CompanyRegister
	registers.IncomeRegister
}

// Env is what a Decide function gets besides the data.
type Env struct {
	// Tx is the event's transaction (the function's schema).
	Tx *runtime.Tx
	// Event is the submission as the accept step forwarded it.
	Event cloudevents.Event
	// Receipt is intake's receipt number, Sender the submitter's tenant
	// ("cvr:<cvr>"), ReceivedAt the time intake received it (the event time).
	Receipt    string
	Sender     string
	ReceivedAt time.Time
	Registers  Registers
	store      store
	def        Definition
	person     registers.Person
}

// Case is one stored case.
type Case struct {
	ID        string
	Family    string
	Key       string
	Tenant    string
	Person    string
	Recipient string
	Status    string
	Version   int
	State     json.RawMessage
}

// Outcome is what Decide decided: the case as it now stands, why, and
// which effects are due.
type Outcome struct {
	// Case is the case to store (insert when new, else update); its Tenant
	// must be the sender's for a new case.
	Case Case
	// New is true when the case did not exist before.
	New bool
	// State is marshalled into Case.State when Case.State is nil.
	State any
	// Person is the person the report is about (recipient, letters, tasks).
	Person ids.CPR
	// FirstDay and LastDay are the first and last days of the absence or
	// leave ("YYYY-MM-DD"; LastDay "" while it goes on): the notification
	// letter and the sick person's tasks name them.
	FirstDay, LastDay string
	// Workplace is the P-unit named; the pipeline checks it belongs to the
	// sender's CVR and uses it for the recipient when the person lives abroad.
	Workplace ids.PNumber
	// SenderCVR is the company the report is from (checked against the
	// P-unit; the tenant of the case).
	SenderCVR ids.CVR
	// Result is the family's result (its Go type in events/results.go, the
	// shape blanket.decided and delivery.requested promise partners), sent in
	// the feedback and the delivery and recorded in the ledger.
	Result events.BlanketResult
	// Reasons are every rule applied, in order.
	Reasons []events.Reason
	// Delivery is the kind of item for the recipient ("" for none).
	Delivery string
	// NotifyPerson asks for the person's notification letter (sent only
	// when the Definition has Notification).
	NotifyPerson bool
	// PersonKind is the person's kind for the tasks ("employee", ...).
	PersonKind string
	// Tasks are the sick person's tasks in order, due on TasksDeadline.
	Tasks         []string
	TasksDeadline string
	// Reminders to schedule; CancelReminders cancels the case's earlier
	// ones first (by subject).
	Reminders       []events.ReminderSchedule
	CancelReminders bool
	// Events are the family's own events (type and data), e.g. a notice.
	Events []Emit
}

// Emit is one extra event to put on the outbox, partitioned by the case.
type Emit struct {
	Type string
	Data any
}

// Load returns the case id of the Env's family, locked for update, or
// (Case{}, false, nil) when there is none.
func (e *Env) Load(ctx context.Context, id string) (Case, bool, error) {
	return e.store.load(ctx, e.Tx, id)
}

// FindOpen returns the open case of the Env's family with natural key key,
// locked for update, or (Case{}, false, nil).
func (e *Env) FindOpen(ctx context.Context, key string) (Case, bool, error) {
	return e.store.findByKey(ctx, e.Tx, e.def.Family, key)
}

// NewCaseID returns the id a new case of this submission gets: the
// submission's partition key when it is a UUID no case has yet (intake
// gives every submission without one its own event id, a UUIDv7, and
// answers it to the sender as the stream), else a fresh UUIDv7.
func (e *Env) NewCaseID(ctx context.Context) (string, error) {
	return e.store.newID(ctx, e.Tx, events.PartitionKey(e.Event))
}
