package waiting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/reminder/plan"
	"nemrefusion.dk/infra/accept"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// PrepareRequest is the body of POST /api/v1/prepared.
type PrepareRequest struct {
	// Type is the blanket's event type (one senders may submit).
	Type string `json:"type"`
	// Data is the blanket as far as it is filled in.
	Data json.RawMessage `json:"data"`
	// DueDate is the day the blanket may be submitted ("YYYY-MM-DD").
	DueDate string `json:"dueDate"`
	// Deadline is the legal deadline ("YYYY-MM-DD"), when known.
	Deadline string `json:"deadline,omitempty"`
	// PartitionKey is the absence or case id the blanket belongs to, when
	// known; the submitted event carries it.
	PartitionKey string `json:"partitionKey,omitempty"`
}

// Notice is a plain statement in Danish and English.
type Notice struct {
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// Prepared is a prepared blanket as the sender sees it.
type Prepared struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data,omitempty"`
	DueDate     string          `json:"dueDate"`
	Deadline    string          `json:"deadline,omitempty"`
	Status      string          `json:"status"`
	Due         bool            `json:"due"`
	Overdue     bool            `json:"overdue"`
	Notice      *Notice         `json:"notice,omitempty"`
	Receipt     string          `json:"receipt,omitempty"`
	CreatedAt   time.Time       `json:"createdAt"`
	SubmittedAt *time.Time      `json:"submittedAt,omitempty"`
}

var daMonths = [...]string{"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}

// overdueNotice says plainly that the deadline has passed.
func overdueNotice(deadline time.Time) *Notice {
	return &Notice{
		Code: "deadline-passed",
		Da: fmt.Sprintf("Fristen for denne blanket var %d. %s %d og er overskredet. Du kan stadig indsende den, men den kommer for sent.",
			deadline.Day(), daMonths[deadline.Month()-1], deadline.Year()),
		En: "The deadline for this form was " + deadline.Format("2 January 2006") + " and has passed. You can still submit it, but it will be late.",
	}
}

// view fills the derived fields at now.
func (w *Waiting) view(p *Prepared) {
	today := w.now().In(plan.Danish).Format(time.DateOnly)
	p.Due = p.Status == "held" && p.DueDate <= today
	if p.Status == "held" && p.Deadline != "" && p.Deadline < today {
		d, _ := time.Parse(time.DateOnly, p.Deadline)
		p.Overdue, p.Notice = true, overdueNotice(d)
	}
}

func parseDate(field, s string, required bool) (time.Time, error) {
	if s == "" && !required {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, events.FieldErrors{{Field: field, Code: "date",
			Da: "Angiv en dato som ÅÅÅÅ-MM-DD.", En: "Give a date as YYYY-MM-DD."}}
	}
	return d, nil
}

func (w *Waiting) create(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	cvr, err := authorizeCreate(p)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	var in PrepareRequest
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil {
		runtime.WriteError(rw, badJSON(err))
		return
	}
	if len(in.Data) == 0 || string(in.Data) == "null" {
		in.Data = json.RawMessage(`{}`)
	}
	if in.Data[0] != '{' {
		runtime.WriteError(rw, errNoObject)
		return
	}
	// The preparation policy of the accept step intake uses too: only a
	// blanket this role may send, for a CVR it may act for; into a stream
	// that is the sender's (or new).
	if err := accept.CheckPrepare(p, in.Type, in.Data); err != nil {
		w.front.WriteError(rw, r, p, err)
		return
	}
	if err := w.front.CheckStream(r.Context(), w.svc.DB, p, in.Type, in.PartitionKey); err != nil {
		w.front.WriteError(rw, r, p, err)
		return
	}
	due, err := parseDate("dueDate", in.DueDate, true)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	deadline, err := parseDate("deadline", in.Deadline, false)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	id, err := uuid.NewV7()
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	stream := in.PartitionKey
	if stream == "" {
		stream = id.String()
	}
	now := w.now()
	out := Prepared{ID: id.String(), Type: in.Type, DueDate: in.DueDate, Deadline: in.Deadline, Status: "held", CreatedAt: now.UTC()}
	err = w.svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(r.Context(), `INSERT INTO prepared (id, cvr, blanket_type, payload, stream, due_date, deadline, status, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'held', $8, $9)`,
			id, cvr.String(), in.Type, []byte(in.Data), stream, due, nullDate(deadline), p.Subject, now); err != nil {
			return fmt.Errorf("store prepared: %w", err)
		}
		if _, err := tx.Record(r.Context(), ledger.Entry{Stream: id.String(), Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
			EventType: "dk.nemrefusion.prepared.saved", EventSource: events.SourcePrefix + w.svc.Name, EventID: id.String(), Payload: in.Data}); err != nil {
			return err
		}
		for _, rem := range plan.PreparedForm(now, id.String(), cvr.String(), due, deadline) {
			if _, err := tx.Emit(r.Context(), events.ReminderScheduled, id.String(), rem); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	w.view(&out)
	runtime.WriteJSON(rw, http.StatusCreated, out)
}

func nullDate(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return d
}

const selectPrepared = `SELECT id::text, cvr, blanket_type, payload, to_char(due_date, 'YYYY-MM-DD'), coalesce(to_char(deadline, 'YYYY-MM-DD'), ''),
	status, coalesce(receipt, ''), created_at, submitted_at, stream FROM prepared`

type row struct {
	Prepared
	cvr, stream string
}

func scanPrepared(s pgx.Row) (row, error) {
	var r row
	err := s.Scan(&r.ID, &r.cvr, &r.Type, &r.Data, &r.DueDate, &r.Deadline, &r.Status, &r.Receipt, &r.CreatedAt, &r.SubmittedAt, &r.stream)
	return r, err
}

func (w *Waiting) list(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	cvr, err := authorizeList(p)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	rows, err := w.svc.DB.Query(r.Context(), selectPrepared+` WHERE cvr = $1 AND status = 'held' ORDER BY due_date, created_at`, cvr.String())
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	defer rows.Close()
	out := []Prepared{}
	for rows.Next() {
		pr, err := scanPrepared(rows)
		if err != nil {
			runtime.WriteError(rw, err)
			return
		}
		pr.Data = nil
		w.view(&pr.Prepared)
		out = append(out, pr.Prepared)
	}
	if err := rows.Err(); err != nil {
		runtime.WriteError(rw, err)
		return
	}
	runtime.WriteJSON(rw, http.StatusOK, map[string]any{"prepared": out})
}

// load reads one prepared blanket and applies authorize to it.
func (w *Waiting) load(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id string, lock bool, p auth.Principal, authorize func(auth.Principal, string) error) (row, error) {
	if _, err := uuid.Parse(id); err != nil {
		return row{}, errNotFound
	}
	sql := selectPrepared + ` WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	pr, err := scanPrepared(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return row{}, errNotFound
	}
	if err != nil {
		return row{}, fmt.Errorf("load prepared: %w", err)
	}
	if err := authorize(p, pr.cvr); err != nil {
		return row{}, err
	}
	return pr, nil
}

func (w *Waiting) get(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	pr, err := w.load(r.Context(), w.svc.DB, r.PathValue("id"), false, p, authorizeRead)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	// The blanket holds a person's data (CPR, dates, wages): who read it is
	// in the ledger, as for every read of personal data.
	if _, err := ledger.Append(r.Context(), w.svc.DB, auth.ReadEntry(p, r, PreparedStream(pr.ID))); err != nil {
		runtime.WriteError(rw, fmt.Errorf("record read: %w", err))
		return
	}
	w.view(&pr.Prepared)
	runtime.WriteJSON(rw, http.StatusOK, pr.Prepared)
}

// PreparedStream is the resource a read of prepared blanket id is
// recorded under (in the ledger stream auth.ReadStream of it).
func PreparedStream(id string) string { return "prepared/" + id }

// preparedSource is the source of the accept step's idempotency key of a
// prepared blanket (with its id and the sender's tenant).
const preparedSource = events.SourcePrefix + "waiting/prepared"

var errNoObject = events.FieldErrors{{Field: "data", Code: "object",
	Da: "Blankettens indhold mangler.", En: "The form's content is missing."}}

// badJSON is the answer to a body that is not JSON (or not UTF-8).
func badJSON(err error) error {
	return runtime.Fail(runtime.KindInvalid, "bad-json", "Indholdet er ikke gyldig JSON.", "The body is not valid JSON.", err)
}

// SubmitResult is the answer of a submission.
type SubmitResult struct {
	Receipt string `json:"receipt"`
	EventID string `json:"eventId"`
	// Stream is the absence (or case) the submitted blanket belongs to, as
	// in intake's receipt; ReceivedAt is when it was submitted.
	Stream     string    `json:"stream"`
	ReceivedAt time.Time `json:"receivedAt"`
	Notice     *Notice   `json:"notice,omitempty"`
}

func (w *Waiting) submit(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	ctx := r.Context()
	var res SubmitResult
	status := http.StatusAccepted
	err = w.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		pr, err := w.load(ctx, tx, r.PathValue("id"), true, p, authorizeSubmit)
		if err != nil {
			return err
		}
		switch pr.Status {
		case "submitted": // the same action again: the same receipt
			var evID string
			if err := tx.QueryRow(ctx, `SELECT event_id FROM prepared WHERE id = $1`, pr.ID).Scan(&evID); err != nil {
				return fmt.Errorf("load receipt: %w", err)
			}
			res, status = SubmitResult{Receipt: pr.Receipt, EventID: evID, Stream: pr.stream}, http.StatusOK
			if pr.SubmittedAt != nil {
				res.ReceivedAt = pr.SubmittedAt.UTC()
			}
			return nil
		case "cancelled":
			return runtime.Fail(runtime.KindConflict, "deleted", "Blanketten er slettet.", "The form has been deleted.", nil)
		}
		// The accept step intake uses: the submission policy (this role
		// may send the type, for the CVR in the data, with a fresh login to
		// sign), the stream claimed for the sender, the stamps, a receipt,
		// the ledger entry and the outbox.
		stream := pr.stream
		if a := accept.AbsenceID(pr.Data); a != "" && stream == pr.ID {
			stream = a // a follow-up prepared without its absence's stream
		}
		rc, err := w.front.Accept(ctx, tx, p, accept.Input{Type: pr.Type, Source: preparedSource, ID: pr.ID, Stream: stream, Data: pr.Data})
		if err != nil {
			return err
		}
		now := rc.ReceivedAt
		res = SubmitResult{Receipt: rc.Receipt, EventID: rc.EventID, Stream: rc.Stream, ReceivedAt: rc.ReceivedAt}
		if _, err := tx.Exec(ctx, `UPDATE prepared SET status = 'submitted', receipt = $2, event_id = $3, submitted_at = $4, stream = $5 WHERE id = $1 AND status = 'held'`,
			pr.ID, res.Receipt, res.EventID, now, res.Stream); err != nil {
			return fmt.Errorf("mark submitted: %w", err)
		}
		if pr.Deadline != "" && pr.Deadline < now.In(plan.Danish).Format(time.DateOnly) {
			d, _ := time.Parse(time.DateOnly, pr.Deadline)
			res.Notice = overdueNotice(d)
		}
		_, err = tx.Emit(ctx, events.ReminderCancelled, pr.ID, events.ReminderCancellation{
			Subject: &events.ReminderSubject{Type: events.SubjectPrepared, ID: pr.ID}, Reason: "submitted"})
		return err
	})
	if err != nil {
		w.front.WriteError(rw, r, p, err)
		return
	}
	runtime.WriteJSON(rw, status, res)
}

// UpdateRequest is the body of PUT /api/v1/prepared/{id}: the blanket as
// the sender changed it (stored unvalidated, as when it was prepared).
type UpdateRequest struct {
	Data json.RawMessage `json:"data"`
}

// update replaces the data of a held blanket; its due date and reminders
// stay as they are.
func (w *Waiting) update(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	var in UpdateRequest
	if err := json.NewDecoder(http.MaxBytesReader(rw, r.Body, 1<<20)).Decode(&in); err != nil {
		runtime.WriteError(rw, badJSON(err))
		return
	}
	if len(in.Data) == 0 || in.Data[0] != '{' {
		runtime.WriteError(rw, errNoObject)
		return
	}
	ctx := r.Context()
	var out row
	err = w.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		pr, err := w.load(ctx, tx, r.PathValue("id"), true, p, authorizeUpdate)
		if err != nil {
			return err
		}
		switch pr.Status {
		case "cancelled":
			return runtime.Fail(runtime.KindConflict, "deleted", "Blanketten er slettet.", "The form has been deleted.", nil)
		case "submitted":
			return runtime.Fail(runtime.KindConflict, "submitted", "Blanketten er allerede indsendt.", "The form has already been submitted.", nil)
		}
		if err := accept.CheckPrepare(p, pr.Type, in.Data); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE prepared SET payload = $2 WHERE id = $1`, pr.ID, []byte(in.Data)); err != nil {
			return fmt.Errorf("update prepared: %w", err)
		}
		if _, err := tx.Record(ctx, ledger.Entry{Stream: pr.ID, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
			EventType: "dk.nemrefusion.prepared.changed", EventSource: events.SourcePrefix + w.svc.Name, EventID: pr.ID, Payload: in.Data}); err != nil {
			return err
		}
		pr.Data, out = in.Data, pr
		return nil
	})
	if err != nil {
		w.front.WriteError(rw, r, p, err)
		return
	}
	w.view(&out.Prepared)
	runtime.WriteJSON(rw, http.StatusOK, out.Prepared)
}

func (w *Waiting) delete(rw http.ResponseWriter, r *http.Request) {
	p, err := principal(r)
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	ctx := r.Context()
	err = w.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		pr, err := w.load(ctx, tx, r.PathValue("id"), true, p, authorizeDelete)
		if err != nil {
			return err
		}
		switch pr.Status {
		case "cancelled":
			return nil
		case "submitted":
			return runtime.Fail(runtime.KindConflict, "submitted", "Blanketten er allerede indsendt.", "The form has already been submitted.", nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE prepared SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, pr.ID); err != nil {
			return fmt.Errorf("delete prepared: %w", err)
		}
		if _, err := tx.Record(ctx, ledger.Entry{Stream: pr.ID, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
			EventType: "dk.nemrefusion.prepared.deleted", EventSource: events.SourcePrefix + w.svc.Name, EventID: pr.ID}); err != nil {
			return err
		}
		_, err = tx.Emit(ctx, events.ReminderCancelled, pr.ID, events.ReminderCancellation{
			Subject: &events.ReminderSubject{Type: events.SubjectPrepared, ID: pr.ID}, Reason: "deleted"})
		return err
	})
	if err != nil {
		runtime.WriteError(rw, err)
		return
	}
	rw.WriteHeader(http.StatusNoContent)
}
