// Package citizen is the citizen function: the sick person's self-service
// Mit Sygefravær (seeds/003) behind /api/v1/citizen. It takes the tasks the
// sickness and delivery functions ask for (citizen.tasks.requested), keeps
// the absences, tasks, the information form's drafts and the answers in its
// schema, and carries out what the domain (packages tasks and form)
// decides: answers go to the municipality as delivery.requested items
// (exactly once: one answer per task, item id "<absence id>/<task>/<answer id>"), a
// receipt letter is requested for every answer sent, signed answers are
// announced, and when the last open task is answered the tasks' reminders
// are cancelled (citizen.tasks.closed).
//
// Only the person themself (a citizen login) or a power-of-attorney holder
// (a proxy login for that person) sees an absence; anybody else gets the
// answer a missing absence gets, and the refusal is in the ledger.
package citizen

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"time"
	_ "time/tzdata" // the Danish calendar day, wherever the function runs

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations are the function's own tables.
func Migrations() fs.FS {
	sub, _ := fs.Sub(migrations, "migrations")
	return sub
}

// Config is the citizen function's own configuration.
type Config struct {
	// DPOBaseURL (CITIZEN_DPO_BASE_URL) is where the delivery function
	// answers GET /api/v1/admin/municipalities/{no}/dpo; when empty the
	// overview names only the path (the web app fetches it from the public
	// origin).
	DPOBaseURL string
	// DPOSeed gives a municipality's DPO link (by number) when the delivery
	// function has none: the synthetic municipalities' links in development
	// (infra/registers/synth.DPOLink); nil in production.
	DPOSeed func(municipality int) (string, bool)
}

// Ledger entry types of facts that are not events on the broker.
const (
	// LedgerLegalTextAcknowledged: the legal text was acknowledged for an absence.
	LedgerLegalTextAcknowledged = "dk.nemrefusion.citizen.legal-text.acknowledged.v1"
	// LedgerDraftSaved: a page of the information form was saved in the draft.
	LedgerDraftSaved = "dk.nemrefusion.citizen.draft.saved.v1"
	// LedgerAnswerRecorded: an answer that needs no signature (agreeing
	// with the report, sending documentation).
	LedgerAnswerRecorded = "dk.nemrefusion.citizen.answer.recorded.v1"
	// LedgerTasksGiven: tasks were given (or left out) for an absence.
	LedgerTasksGiven = "dk.nemrefusion.citizen.tasks.given.v1"
)

// Function is the running citizen function.
type Function struct {
	svc    *runtime.Service
	v      *auth.Verifier
	maxAge time.Duration
	dpo    *dpoLinks
	now    func() time.Time
}

// Register adds the event handlers and the routes to svc. signingMaxAge is
// how old a login may be to sign an answer (auth.Config.SigningMaxAge).
func Register(svc *runtime.Service, v *auth.Verifier, signingMaxAge time.Duration, c Config) *Function {
	f := &Function{svc: svc, v: v, maxAge: signingMaxAge, dpo: newDPOLinks(c.DPOBaseURL, c.DPOSeed), now: time.Now}
	runtime.On(svc, events.CitizenTasksRequested, f.onTasksRequested)
	runtime.On(svc, events.DocumentAccepted, f.onDocumentAccepted)
	runtime.On(svc, events.DocumentRejected, f.onDocumentRejected)
	runtime.On(svc, events.LetterSent, f.onLetterSent)
	runtime.On(svc, events.LetterFailed, f.onLetterFailed)
	f.routes()
	f.registerCaseStatus()
	f.registerReceipts()
	f.registerEnded()
	return f
}

var copenhagen = mustZone("Europe/Copenhagen")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// today is the Danish calendar day now.
func (f *Function) today() time.Time { return tasks.Day(f.now().In(copenhagen)) }

// onTasksRequested gives the sick person the tasks asked for: the absence
// is created on its first request; a task already given is not given again.
func (f *Function) onTasksRequested(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CitizenTasksRequest) error {
	a, ok, err := loadAbsence(ctx, tx, in.AbsenceID, true)
	if err != nil {
		return err
	}
	if ok && a.CPR != in.CPR {
		return events.FieldErrors{{Field: "cpr", Code: "other-person", Da: "Sygefraværet tilhører en anden person.", En: "The absence belongs to another person."}}
	}
	if !ok {
		if a, err = tasks.NewAbsence(in); err != nil {
			return err
		}
	}
	added, dropped := a.Request(in, f.today())
	if err := saveAbsence(ctx, tx, a); err != nil {
		return err
	}
	given := make([]string, 0, len(added))
	for _, t := range added {
		given = append(given, t.ID)
	}
	if err := f.taskLetters(ctx, tx, a, added); err != nil {
		return err
	}
	reason, _ := json.Marshal(map[string]any{"given": given, "dropped": dropped})
	_, err = tx.Record(ctx, ledger.Entry{Stream: a.ID, EventType: LedgerTasksGiven, EventSource: ev.Source(), EventID: ev.ID(), Reason: reason})
	return err
}

func (f *Function) onDocumentAccepted(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.DocumentAcceptedData) error {
	return upsertDocument(ctx, tx, in.DocumentID, in.AbsenceID, in.Title, tasks.DocumentAccepted, "", in.AcceptedAt)
}

func (f *Function) onDocumentRejected(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.DocumentRejectedData) error {
	return upsertDocument(ctx, tx, in.DocumentID, in.AbsenceID, in.Title, tasks.DocumentRejected, in.Reason, in.RejectedAt)
}

func upsertDocument(ctx context.Context, tx *runtime.Tx, id, absence, title, status, reason string, at time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO documents (id, absence_id, title, status, reason, decided_at) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (id) DO NOTHING`, id, absence, title, status, reason, at)
	if err != nil {
		return fmt.Errorf("record document: %w", err)
	}
	return nil
}

// onLetterSent notes that an answer's receipt was sent and where its PDF is.
// Letters of other kinds, and receipts of other functions, are ignored.
func (f *Function) onLetterSent(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.LetterSentData) error {
	if in.Kind != events.LetterAnswerReceipt {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE answers SET receipt_status = 'sent', receipt_pdf = $2, receipt_channel = $3 WHERE id = $1`,
		in.Reference, in.PDF, in.Channel)
	if err != nil {
		return fmt.Errorf("note receipt sent: %w", err)
	}
	return nil
}

func (f *Function) onLetterFailed(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.LetterFailedData) error {
	if in.Kind != events.LetterAnswerReceipt {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE answers SET receipt_status = 'failed' WHERE id = $1 AND receipt_status <> 'sent'`, in.Reference)
	if err != nil {
		return fmt.Errorf("note receipt failed: %w", err)
	}
	return nil
}

// routes registers the public API. Every route needs a login; role and
// tenant are checked per request in authorize.
func (f *Function) routes() {
	m := f.svc.Mux
	h := func(fn http.HandlerFunc) http.Handler { return auth.Require(f.v)(f.persons(fn)) }
	m.Handle("GET /api/v1/citizen/absences", h(f.listAbsences))
	m.Handle("GET /api/v1/citizen/absences/{id}", h(f.getAbsence))
	m.Handle("POST /api/v1/citizen/absences/{id}/legal-text", h(f.acknowledge))
	m.Handle("GET /api/v1/citizen/absences/{id}/tasks/{task}", h(f.getTask))
	m.Handle("POST /api/v1/citizen/absences/{id}/tasks/{task}/answer", h(f.answerTask))
	m.Handle("GET /api/v1/citizen/absences/{id}/information-form", h(f.getForm))
	m.Handle("GET /api/v1/citizen/absences/{id}/information-form/sections/{section}", h(f.getSection))
	m.Handle("PUT /api/v1/citizen/absences/{id}/information-form/sections/{section}", h(f.saveSection))
	m.Handle("POST /api/v1/citizen/absences/{id}/information-form/submit", h(f.submitForm))
	m.Handle("POST /api/v1/citizen/absences/{id}/recovery", h(f.reportRecovery))
	m.Handle("POST /api/v1/citizen/absences/{id}/partial-resumption", h(f.reportPartial))
	m.Handle("POST /api/v1/citizen/absences/{id}/documentation", h(f.sendDocumentation))
}
