package citizen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// "Status på min sag" (seeds/003): the case status, the first absence day
// and the amount calculated before tax, as the municipality's case system
// (KSD) fed them back. The feedback (case.status.changed, refusion.decided)
// is posted by case systems through intake, which stamps who posted it;
// only the absence's own municipality's case system counts here.

// registerCaseStatus adds the feedback handlers and the read route.
func (f *Function) registerCaseStatus() {
	runtime.On(f.svc, events.CaseStatusChanged, f.onCaseStatusChanged)
	runtime.On(f.svc, events.RefusionDecided, f.onRefusionDecided)
	f.svc.Mux.Handle("GET /api/v1/citizen/absences/{id}/case-status", auth.Require(f.v)(f.persons(f.getCaseStatus)))
}

// fromCaseSystemOf reports whether ev was posted by the case system of
// municipality no (the accept step's stamps) about one of its absences.
func fromCaseSystemOf(ev cloudevents.Event, recipient, municipality string) bool {
	return recipient == municipality && events.Str(ev, events.ExtTenant) == "municipality:"+municipality &&
		slices.Contains(events.CaseSystemSenders, events.Str(ev, events.ExtActorRole))
}

// feedbackAbsence loads (locked) the absence feedback is about; ok is false
// for an absence the person has no tasks for here, or feedback from anyone
// but its municipality's case system (both ignored: the delivery function
// is where feedback is checked and refused).
func feedbackAbsence(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, id, recipient string) (bool, error) {
	a, ok, err := loadAbsence(ctx, tx, id, true)
	if err != nil || !ok {
		return false, err
	}
	if !fromCaseSystemOf(ev, recipient, a.Municipality) {
		runtime.Logger(ctx).InfoContext(ctx, "case feedback ignored: not from the absence's municipality", "type", ev.Type())
		return false, nil
	}
	return true, nil
}

func (f *Function) onCaseStatusChanged(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CaseStatusChange) error {
	at, err := time.Parse(time.RFC3339Nano, in.ChangedAt)
	if err != nil {
		return events.FieldErrors{{Field: "changedAt", Code: "date-time", Da: "Tidspunktet er ugyldigt.", En: "The time is not valid."}}
	}
	if ok, err := feedbackAbsence(ctx, tx, ev, in.AbsenceID, in.Recipient); err != nil || !ok {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO case_status (absence_id, status, changed_at, note_da, note_en) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (absence_id) DO UPDATE SET status = EXCLUDED.status, changed_at = EXCLUDED.changed_at, note_da = EXCLUDED.note_da, note_en = EXCLUDED.note_en
		WHERE case_status.changed_at IS NULL OR case_status.changed_at <= EXCLUDED.changed_at`, in.AbsenceID, in.Status, at, in.NoteDa, in.NoteEn)
	if err != nil {
		return fmt.Errorf("store case status: %w", err)
	}
	return nil
}

func (f *Function) onRefusionDecided(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.RefusionDecision) error {
	on, err := time.Parse(time.DateOnly, in.DecidedOn)
	if err != nil {
		return events.FieldErrors{{Field: "decidedOn", Code: "date", Da: "Datoen er ugyldig.", En: "The date is not valid."}}
	}
	if ok, err := feedbackAbsence(ctx, tx, ev, in.AbsenceID, in.Recipient); err != nil || !ok {
		return err
	}
	periods := in.Periods
	if periods == nil {
		periods = []events.DecidedPeriod{}
	}
	b, _ := json.Marshal(periods)
	_, err = tx.Exec(ctx, `INSERT INTO case_status (absence_id, decision_id, decided_on, outcome, periods) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (absence_id) DO UPDATE SET decision_id = EXCLUDED.decision_id, decided_on = EXCLUDED.decided_on, outcome = EXCLUDED.outcome, periods = EXCLUDED.periods
		WHERE case_status.decided_on IS NULL OR case_status.decided_on <= EXCLUDED.decided_on`, in.AbsenceID, in.DecisionID, on, in.Outcome, b)
	if err != nil {
		return fmt.Errorf("store decision: %w", err)
	}
	return nil
}

// caseStatusView is "Status på min sag" for one absence.
type caseStatusView struct {
	AbsenceID       string     `json:"absenceId"`
	Sender          senderView `json:"sender"`
	FirstAbsenceDay string     `json:"firstAbsenceDay"`
	// Status is the case system's status ("" until it has answered).
	Status    string     `json:"status"`
	ChangedAt *time.Time `json:"changedAt,omitempty"`
	Note      *text2     `json:"note,omitempty"`
	// Outcome of the newest decision: "granted", "partly-granted",
	// "refused" or "" (none yet).
	Outcome   string `json:"outcome,omitempty"`
	DecidedOn string `json:"decidedOn,omitempty"`
	// AmountBeforeTaxOre is the sum of the newest decision's periods (the
	// amount calculated before tax), nil until there is a decision with
	// periods.
	AmountBeforeTaxOre *int64                 `json:"amountBeforeTaxOre,omitempty"`
	Periods            []events.DecidedPeriod `json:"periods"`
	// PaidTo is "employer" when the employer pays wages during the
	// absence (the amount is then the employer's refusion), else "you".
	PaidTo string `json:"paidTo"`
}

func caseStatusOf(ctx context.Context, q db, a tasks.Absence) (caseStatusView, error) {
	v := caseStatusView{AbsenceID: a.ID, Sender: senderView{Name: a.SenderName, CVR: a.SenderCVR}, FirstAbsenceDay: a.FirstAbsenceDay.Format(time.DateOnly),
		Periods: []events.DecidedPeriod{}, PaidTo: "you"}
	var r struct {
		WagesPaid bool `json:"wagesPaid"`
	}
	if json.Unmarshal(a.Report, &r) == nil && r.WagesPaid {
		v.PaidTo = "employer"
	}
	var noteDa, noteEn string
	var decided *time.Time
	var periods []byte
	err := q.QueryRow(ctx, `SELECT status, changed_at, note_da, note_en, decided_on, outcome, periods FROM case_status WHERE absence_id = $1`, a.ID).
		Scan(&v.Status, &v.ChangedAt, &noteDa, &noteEn, &decided, &v.Outcome, &periods)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, nil
	}
	if err != nil {
		return v, fmt.Errorf("load case status: %w", err)
	}
	if noteDa != "" || noteEn != "" {
		v.Note = &text2{noteDa, noteEn}
	}
	if decided != nil {
		v.DecidedOn = decided.Format(time.DateOnly)
	}
	if err := json.Unmarshal(periods, &v.Periods); err != nil {
		return v, fmt.Errorf("decode decided periods: %w", err)
	}
	if len(v.Periods) > 0 {
		var sum int64
		for _, p := range v.Periods {
			sum += p.AmountOre
		}
		v.AmountBeforeTaxOre = &sum
	}
	return v, nil
}

// readAbsence loads the caller's own absence for a read route and notes a
// proxy's read in the ledger; ok is false when it has answered with the
// error (a foreign or missing absence: 404).
func (f *Function) readAbsence(w http.ResponseWriter, r *http.Request) (tasks.Absence, bool) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	a, err := f.absenceFor(ctx, f.svc.DB, p, r, false)
	if err == nil {
		err = f.noteRead(ctx, p, r, a.ID)
	}
	if err != nil {
		f.writeErr(w, r, err)
		return a, false
	}
	return a, true
}

// getCaseStatus answers GET …/absences/{id}/case-status for the person's
// own absence (a foreign or missing one: 404).
func (f *Function) getCaseStatus(w http.ResponseWriter, r *http.Request) {
	a, ok := f.readAbsence(w, r)
	if !ok {
		return
	}
	v, err := caseStatusOf(r.Context(), f.svc.DB, a)
	if err != nil {
		f.writeErr(w, r, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}
