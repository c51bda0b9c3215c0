package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/delivery/reconcile"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// StatusEntry is one status of the case at the recipient.
type StatusEntry struct {
	Status    string    `json:"status"`
	ChangedAt time.Time `json:"changedAt"`
	NoteDa    string    `json:"noteDa,omitempty"`
	NoteEn    string    `json:"noteEn,omitempty"`
}

// DecisionView is one decision as the sender sees it.
type DecisionView struct {
	DecisionID string                 `json:"decisionId"`
	DecidedOn  string                 `json:"decidedOn"`
	Outcome    string                 `json:"outcome"`
	Periods    []events.DecidedPeriod `json:"periods"`
	Refusal    *events.RefusalReason  `json:"refusal,omitempty"`
}

// PaymentView is one payment as the sender sees it.
type PaymentView struct {
	PaymentReference string `json:"paymentReference"`
	AmountOre        int64  `json:"amountOre"`
	PeriodFrom       string `json:"periodFrom"`
	PeriodTo         string `json:"periodTo"`
	PaidOn           string `json:"paidOn"`
}

// DeadlineView is a deadline and where it came from.
type DeadlineView struct {
	events.Deadline
	Source string `json:"source"`
}

// AbsenceView is what the sender sees of one absence: the case at the
// recipient, its decisions, payments and deadlines, and the
// reconciliation of expected against decided and paid refusion.
type AbsenceView struct {
	AbsenceID      string           `json:"absenceId"`
	Recipient      string           `json:"recipient"`
	CaseNumber     string           `json:"caseNumber,omitempty"`
	Status         string           `json:"status"`
	StatusAt       time.Time        `json:"statusAt"`
	History        []StatusEntry    `json:"history"`
	Decisions      []DecisionView   `json:"decisions"`
	Payments       []PaymentView    `json:"payments"`
	Deadlines      []DeadlineView   `json:"deadlines"`
	ExpectedAt     *time.Time       `json:"expectedAt,omitempty"`
	Reconciliation reconcile.Result `json:"reconciliation"`
	// Rejections are the sender's submissions into this absence that the
	// rules rejected (blanket.rejected.v1), oldest first.
	Rejections []RejectionView `json:"rejections"`
}

// RejectionView is one rejected submission as the sender sees it.
type RejectionView struct {
	Receipt string             `json:"receipt,omitempty"`
	Blanket string             `json:"blanket"`
	At      time.Time          `json:"at"`
	Reasons events.FieldErrors `json:"reasons"`
}

// loadRejections reads the rejections of cvr's submissions into absence id.
func loadRejections(ctx context.Context, db interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, id, cvr string) ([]RejectionView, error) {
	rows, err := db.Query(ctx, `SELECT receipt, blanket, at, reasons FROM rejections WHERE absence_id = $1 AND sender_cvr = $2 ORDER BY at, key`, id, cvr)
	if err != nil {
		return nil, fmt.Errorf("read rejections: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (RejectionView, error) {
		var v RejectionView
		var reasons []byte
		if err := row.Scan(&v.Receipt, &v.Blanket, &v.At, &reasons); err != nil {
			return v, err
		}
		if err := json.Unmarshal(reasons, &v.Reasons); err != nil {
			return v, err
		}
		if v.Reasons == nil {
			v.Reasons = events.FieldErrors{}
		}
		return v, nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rejections: %w", err)
	}
	return out, nil
}

// senderView answers GET /api/v1/feedback/absences/{id} for the sender's
// CVR, with the sender's rejected submissions into the absence; an
// absence with only rejections answers status "rejected". Absences of
// blankets without feedback (and no rejections), of other senders, and
// unknown absences all answer 404.
func (f *Function) senderView(w http.ResponseWriter, r *http.Request) {
	p, id := principal(r), r.PathValue("id")
	var v AbsenceView
	var senderCVR string
	var caseNumber *string
	// The sender is the CVR of the first item with feedback, or else the
	// CVR the rules pay the refusion to (the expectation's).
	err := f.svc.DB.QueryRow(r.Context(), `SELECT l.absence_id, l.recipient, COALESCE(NULLIF(l.sender_cvr, ''), e.sender_cvr, ''), l.case_number, l.status, l.status_at
		FROM feedback_loops l LEFT JOIN expectations e USING (absence_id) WHERE l.absence_id = $1`, id).
		Scan(&v.AbsenceID, &v.Recipient, &senderCVR, &caseNumber, &v.Status, &v.StatusAt)
	rejectedOnly := false
	if isNoRows(err) {
		// An absence the rules rejected every submission of has no
		// feedback loop, only rejections: the view of those.
		err = f.svc.DB.QueryRow(r.Context(), `SELECT sender_cvr, max(at) FROM rejections WHERE absence_id = $1 AND absence_id <> ''
			GROUP BY sender_cvr ORDER BY max(at) DESC LIMIT 1`, id).Scan(&senderCVR, &v.StatusAt)
		if isNoRows(err) {
			auth.WriteNotFound(w)
			return
		}
		v.AbsenceID, v.Status, rejectedOnly = id, "rejected", true
	}
	if err != nil {
		runtime.WriteError(w, fmt.Errorf("read absence: %w", err))
		return
	}
	if !authorize(p, actSender, senderCVR) {
		f.hide(w, r, p, "feedback/absences/"+id)
		return
	}
	if caseNumber != nil {
		v.CaseNumber = *caseNumber
	}
	err = f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		if rejectedOnly {
			v.History, v.Decisions, v.Payments, v.Deadlines = []StatusEntry{}, []DecisionView{}, []PaymentView{}, []DeadlineView{}
			v.Reconciliation = reconcileView(nil, nil, nil)
		} else if err := loadView(r.Context(), tx, &v); err != nil {
			return err
		}
		var err error
		if v.Rejections, err = loadRejections(r.Context(), tx, id, senderCVR); err != nil {
			return err
		}
		_, err = tx.Record(r.Context(), auth.ReadEntry(p, r, id))
		return err
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, v)
}

// loadView reads history, decisions, payments, deadlines and the
// expectation of v.AbsenceID and reconciles them.
func loadView(ctx context.Context, tx pgx.Tx, v *AbsenceView) error {
	id := v.AbsenceID
	rows, err := tx.Query(ctx, `SELECT status, changed_at, COALESCE(note_da, ''), COALESCE(note_en, '') FROM status_history WHERE absence_id = $1 ORDER BY changed_at, event_id`, id)
	if err != nil {
		return fmt.Errorf("read status history: %w", err)
	}
	v.History, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (StatusEntry, error) {
		var s StatusEntry
		return s, row.Scan(&s.Status, &s.ChangedAt, &s.NoteDa, &s.NoteEn)
	})
	if err != nil {
		return fmt.Errorf("read status history: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT decision_id, to_char(decided_on, 'YYYY-MM-DD'), outcome, periods, refusal FROM decisions WHERE absence_id = $1 ORDER BY decided_on, received_at`, id)
	if err != nil {
		return fmt.Errorf("read decisions: %w", err)
	}
	v.Decisions, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DecisionView, error) {
		var d DecisionView
		var periods, refusal []byte
		if err := row.Scan(&d.DecisionID, &d.DecidedOn, &d.Outcome, &periods, &refusal); err != nil {
			return d, err
		}
		if err := json.Unmarshal(periods, &d.Periods); err != nil {
			return d, err
		}
		if d.Periods == nil {
			d.Periods = []events.DecidedPeriod{}
		}
		if refusal != nil {
			d.Refusal = &events.RefusalReason{}
			if err := json.Unmarshal(refusal, d.Refusal); err != nil {
				return d, err
			}
		}
		return d, nil
	})
	if err != nil {
		return fmt.Errorf("read decisions: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT payment_reference, amount_ore, to_char(period_from, 'YYYY-MM-DD'), to_char(period_to, 'YYYY-MM-DD'), to_char(paid_on, 'YYYY-MM-DD')
		FROM payments WHERE absence_id = $1 ORDER BY paid_on, payment_reference`, id)
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	v.Payments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (PaymentView, error) {
		var p PaymentView
		return p, row.Scan(&p.PaymentReference, &p.AmountOre, &p.PeriodFrom, &p.PeriodTo, &p.PaidOn)
	})
	if err != nil {
		return fmt.Errorf("read payments: %w", err)
	}
	rows, err = tx.Query(ctx, `SELECT kind, to_char(due, 'YYYY-MM-DD'), text_da, text_en, source FROM deadlines WHERE absence_id = $1 ORDER BY due, kind`, id)
	if err != nil {
		return fmt.Errorf("read deadlines: %w", err)
	}
	v.Deadlines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DeadlineView, error) {
		var d DeadlineView
		return d, row.Scan(&d.Kind, &d.Date, &d.TextDa, &d.TextEn, &d.Source)
	})
	if err != nil {
		return fmt.Errorf("read deadlines: %w", err)
	}
	var expected []events.ExpectedPeriod
	var periods []byte
	var at time.Time
	err = tx.QueryRow(ctx, `SELECT computed_at, periods FROM expectations WHERE absence_id = $1`, id).Scan(&at, &periods)
	switch {
	case isNoRows(err):
	case err != nil:
		return fmt.Errorf("read expectation: %w", err)
	default:
		v.ExpectedAt = &at
		if err := json.Unmarshal(periods, &expected); err != nil {
			return fmt.Errorf("decode expectation: %w", err)
		}
	}
	v.Reconciliation = reconcileView(expected, v.Decisions, v.Payments)
	return nil
}

// reconcileView maps the stored facts to the reconcile domain.
func reconcileView(expected []events.ExpectedPeriod, decisions []DecisionView, payments []PaymentView) reconcile.Result {
	var exp []reconcile.Expected
	for _, e := range expected {
		exp = append(exp, reconcile.Expected{Period: reconcile.Period{From: e.From, To: e.To}, AmountOre: e.AmountOre})
	}
	var ds []reconcile.Decision
	for _, d := range decisions {
		rd := reconcile.Decision{ID: d.DecisionID, DecidedOn: d.DecidedOn, Refused: d.Outcome == "refused"}
		if d.Refusal != nil {
			rd.Reason = d.Refusal.TextDa
		}
		for _, p := range d.Periods {
			rd.Periods = append(rd.Periods, reconcile.Expected{Period: reconcile.Period{From: p.From, To: p.To}, AmountOre: p.AmountOre})
		}
		if rd.Refused && len(rd.Periods) == 0 {
			rd.Periods = exp // a refusal without periods refuses everything expected
		}
		ds = append(ds, rd)
	}
	var ps []reconcile.Payment
	for _, p := range payments {
		ps = append(ps, reconcile.Payment{Reference: p.PaymentReference, Period: reconcile.Period{From: p.PeriodFrom, To: p.PeriodTo}, AmountOre: p.AmountOre, PaidOn: p.PaidOn})
	}
	r := reconcile.Reconcile(exp, ds, ps)
	if r.Lines == nil {
		r.Lines = []reconcile.Line{}
	}
	return r
}
