package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// errUnknownAbsence refuses feedback about an absence that was never
// delivered to the submitting recipient (the same answer whether it exists
// elsewhere or not). 422: never retried; the dead-letter function keeps it.
var errUnknownAbsence = runtime.Fail(runtime.KindUnprocessable, "unknown-absence",
	"Fraværet er ikke leveret til denne modtager.", "The absence was not delivered to this recipient.", nil)

// errUnstamped refuses feedback without the accept step's stamp of who
// posted it (the tenant and the role): it did not come through intake, so
// nobody checked the submitter. 400: never retried, kept by the dead-letter
// function.
var errUnstamped = runtime.Fail(runtime.KindInvalid, "unstamped",
	"Tilbagemeldingen er ikke modtaget gennem indsendelsen (afsenderen mangler).",
	"The feedback did not come through submission (the sender is missing).", nil)

// checkSubmitter refuses feedback whose verified submitter (the tenant and
// role the accept step stamps on what it forwards) is not the recipient
// the feedback names (403), and feedback without the stamps (400): the
// check is never skipped.
func checkSubmitter(ev cloudevents.Event, recipient string) error {
	t := events.Str(ev, events.ExtTenant)
	if t == "" || !slices.Contains(events.CaseSystemSenders, events.Str(ev, events.ExtActorRole)) {
		return errUnstamped
	}
	want := "municipality:" + recipient
	if recipient == "UDK" {
		want = "udk"
	}
	if t != want {
		return runtime.Fail(runtime.KindForbidden, "forbidden", "Du har ikke adgang til dette.", "You do not have access to this.", nil)
	}
	return nil
}

// feedbackTarget finds the absence feedback is about and decides whether
// the feedback counts: it must come from the recipient of the absence's
// feedback loop (the recipient of its first item with feedback), and the
// absence must be of a blanket with feedback. For a blanket without
// feedback (early follow-up, the subsidies, a-kasse reports) the feedback
// is ignored and the ledger says so: ok is false with no error. The
// absence's row stays locked until the transaction ends, so feedback about
// one absence is stored one piece at a time.
func feedbackTarget(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, absenceID, recipient string) (ok bool, err error) {
	if err := checkSubmitter(ev, recipient); err != nil {
		return false, err
	}
	var loopRecipient string
	err = tx.QueryRow(ctx, `SELECT l.recipient FROM absences a JOIN feedback_loops l USING (absence_id) WHERE a.absence_id = $1 FOR UPDATE OF a`, absenceID).
		Scan(&loopRecipient)
	if err == nil && loopRecipient == recipient {
		return true, nil
	}
	if err != nil && !isNoRows(err) {
		return false, fmt.Errorf("find absence: %w", err)
	}
	var delivered bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE case_ref = $1 AND recipient = $2)`, absenceID, recipient).Scan(&delivered); err != nil {
		return false, fmt.Errorf("find items of absence: %w", err)
	}
	if !delivered {
		return false, errUnknownAbsence
	}
	reason, _ := json.Marshal(map[string]string{"ignored": "no-feedback", "why": "the blanket has no feedback to the sender (seeds/000 § 1 stk. 3)"})
	if _, err := tx.Record(ctx, ledger.Entry{Stream: absenceID, Reason: reason}); err != nil {
		return false, err
	}
	runtime.Logger(ctx).InfoContext(ctx, "feedback ignored: blanket without feedback", "recipient", recipient)
	return false, nil
}

// record appends the feedback event to the absence's ledger stream.
func record(ctx context.Context, tx *runtime.Tx, absenceID string) error {
	_, err := tx.Record(ctx, ledger.Entry{Stream: absenceID})
	return err
}

func addDeadline(ctx context.Context, tx *runtime.Tx, absenceID string, d events.Deadline, source string) error {
	_, err := tx.Exec(ctx, `INSERT INTO deadlines (absence_id, kind, due, text_da, text_en, source) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (absence_id, kind, due) DO UPDATE SET text_da = EXCLUDED.text_da, text_en = EXCLUDED.text_en, source = EXCLUDED.source`,
		absenceID, d.Kind, d.Date, d.TextDa, d.TextEn, source)
	if err != nil {
		return fmt.Errorf("store deadline: %w", err)
	}
	return nil
}

// onRefusionExpected stores the newest expectation of an absence.
func (f *Function) onRefusionExpected(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, in events.RefusionExpectation) error {
	computed, err := time.Parse(time.RFC3339Nano, in.ComputedAt)
	if err != nil {
		return events.FieldErrors{{Field: "computedAt", Code: "date-time", Da: "Tidspunktet er ugyldigt.", En: "The time is not valid."}}
	}
	periods, _ := json.Marshal(in.Periods)
	if _, err := tx.Exec(ctx, `INSERT INTO expectations (absence_id, sender_cvr, computed_at, periods) VALUES ($1, $2, $3, $4)
		ON CONFLICT (absence_id) DO UPDATE SET sender_cvr = EXCLUDED.sender_cvr, computed_at = EXCLUDED.computed_at, periods = EXCLUDED.periods
		WHERE expectations.computed_at <= EXCLUDED.computed_at`, in.AbsenceID, in.SenderCVR, computed, periods); err != nil {
		return fmt.Errorf("store expectation: %w", err)
	}
	for _, d := range in.Deadlines {
		if err := addDeadline(ctx, tx, in.AbsenceID, d, "expected"); err != nil {
			return err
		}
	}
	return record(ctx, tx, in.AbsenceID)
}

func (f *Function) onCaseRegistered(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CaseRegistration) error {
	ok, err := feedbackTarget(ctx, tx, ev, in.AbsenceID, in.Recipient)
	if err != nil || !ok {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE absences SET case_number = $2 WHERE absence_id = $1`, in.AbsenceID, in.CaseNumber); err != nil {
		return fmt.Errorf("store case number: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO status_history (absence_id, status, changed_at, event_id) VALUES ($1, 'registered', $2::date, $3)
		ON CONFLICT DO NOTHING`, in.AbsenceID, in.RegisteredOn, ev.ID()); err != nil {
		return fmt.Errorf("store status: %w", err)
	}
	return record(ctx, tx, in.AbsenceID)
}

func (f *Function) onCaseStatusChanged(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CaseStatusChange) error {
	ok, err := feedbackTarget(ctx, tx, ev, in.AbsenceID, in.Recipient)
	if err != nil || !ok {
		return err
	}
	at, err := time.Parse(time.RFC3339Nano, in.ChangedAt)
	if err != nil {
		return events.FieldErrors{{Field: "changedAt", Code: "date-time", Da: "Tidspunktet er ugyldigt.", En: "The time is not valid."}}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO status_history (absence_id, status, changed_at, note_da, note_en, event_id) VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6)
		ON CONFLICT DO NOTHING`, in.AbsenceID, in.Status, at, in.NoteDa, in.NoteEn, ev.ID()); err != nil {
		return fmt.Errorf("store status: %w", err)
	}
	if in.Deadline != nil {
		if err := addDeadline(ctx, tx, in.AbsenceID, *in.Deadline, "status"); err != nil {
			return err
		}
	}
	return record(ctx, tx, in.AbsenceID)
}

func (f *Function) onRefusionDecided(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.RefusionDecision) error {
	if in.Outcome == "refused" && in.Refusal == nil {
		return events.FieldErrors{{Field: "refusal", Code: "required", Da: "Et afslag skal have en begrundelse.", En: "A refusal needs a reason."}}
	}
	if in.Outcome != "refused" && len(in.Periods) == 0 {
		return events.FieldErrors{{Field: "periods", Code: "required", Da: "En bevilling skal have perioder.", En: "A grant needs periods."}}
	}
	ok, err := feedbackTarget(ctx, tx, ev, in.AbsenceID, in.Recipient)
	if err != nil || !ok {
		return err
	}
	periods, _ := json.Marshal(in.Periods)
	var refusal []byte
	if in.Refusal != nil {
		refusal, _ = json.Marshal(in.Refusal)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO decisions (absence_id, decision_id, decided_on, outcome, periods, refusal) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (absence_id, decision_id) DO NOTHING`, in.AbsenceID, in.DecisionID, in.DecidedOn, in.Outcome, periods, refusal); err != nil {
		return fmt.Errorf("store decision: %w", err)
	}
	for _, d := range in.Deadlines {
		if err := addDeadline(ctx, tx, in.AbsenceID, d, "decision"); err != nil {
			return err
		}
	}
	return record(ctx, tx, in.AbsenceID)
}

func (f *Function) onPaymentMade(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.Payment) error {
	ok, err := feedbackTarget(ctx, tx, ev, in.AbsenceID, in.Recipient)
	if err != nil || !ok {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO payments (absence_id, payment_reference, amount_ore, period_from, period_to, paid_on) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (absence_id, payment_reference) DO NOTHING`, in.AbsenceID, in.PaymentReference, in.AmountOre, in.PeriodFrom, in.PeriodTo, in.PaidOn); err != nil {
		return fmt.Errorf("store payment: %w", err)
	}
	return record(ctx, tx, in.AbsenceID)
}

// onCaseTaskRequested turns a recipient's request for a citizen task into
// citizen.tasks.requested. Citizen tasks do not depend on the sender's
// feedback loop (an a-kasse member gets them too), only on the absence
// having been delivered to the requesting municipality.
func (f *Function) onCaseTaskRequested(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event, in events.CaseTaskRequest) error {
	if in.Recipient == "UDK" {
		return events.FieldErrors{{Field: "recipient", Code: "municipality", Da: "Kun kommuner giver opgaver i Mit Sygefravær.", En: "Only municipalities give tasks in Mit Sygefravær."}}
	}
	if err := checkSubmitter(ev, in.Recipient); err != nil {
		return err
	}
	var sender string
	err := tx.QueryRow(ctx, `SELECT sender FROM items WHERE case_ref = $1 AND recipient = $2 ORDER BY seq LIMIT 1`, in.AbsenceID, in.Recipient).Scan(&sender)
	if isNoRows(err) {
		return errUnknownAbsence
	}
	if err != nil {
		return fmt.Errorf("find absence: %w", err)
	}
	kind := in.PersonKind
	if kind == "" {
		kind = "employee"
	}
	if _, err := tx.Emit(ctx, events.CitizenTasksRequested, in.AbsenceID, events.CitizenTasksRequest{
		AbsenceID: in.AbsenceID, CPR: in.CPR, PersonKind: kind, Municipality: in.Recipient, SenderCVR: events.SenderCVR(sender),
		FirstAbsenceDay: in.FirstAbsenceDay, Tasks: []string{in.Task}, Deadline: in.Deadline,
	}); err != nil {
		return err
	}
	return record(ctx, tx, in.AbsenceID)
}
