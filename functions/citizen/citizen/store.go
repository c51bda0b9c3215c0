package citizen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/functions/citizen/form"
	"nemrefusion.dk/functions/citizen/tasks"
)

// db is what the store needs: a transaction or the pool.
type db interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const absenceColumns = `id, cpr, person_kind, municipality, sender_name, sender_cvr, first_day, last_day, report, legal_ack_at, recovered_on`

// loadAbsence loads absence id with its tasks; lock takes the row lock for
// the rest of the transaction. ok is false when there is no such absence.
func loadAbsence(ctx context.Context, q db, id string, lock bool) (a tasks.Absence, ok bool, err error) {
	sql := `SELECT ` + absenceColumns + ` FROM absences WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	a, err = scanAbsence(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, false, nil
	}
	if err != nil {
		return a, false, fmt.Errorf("load absence: %w", err)
	}
	if a.Tasks, err = loadTasks(ctx, q, id); err != nil {
		return a, false, err
	}
	return a, true, nil
}

// absencesOf loads every absence of the person cpr, newest first.
func absencesOf(ctx context.Context, q db, cpr string) ([]tasks.Absence, error) {
	rows, err := q.Query(ctx, `SELECT `+absenceColumns+` FROM absences WHERE cpr = $1 ORDER BY first_day DESC, id`, cpr)
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tasks.Absence, error) { return scanAbsence(r) })
	if err != nil {
		return nil, fmt.Errorf("list absences: %w", err)
	}
	for i := range list {
		if list[i].Tasks, err = loadTasks(ctx, q, list[i].ID); err != nil {
			return nil, err
		}
	}
	return list, nil
}

func scanAbsence(row pgx.Row) (tasks.Absence, error) {
	var a tasks.Absence
	var report []byte
	var last, recovered *time.Time
	err := row.Scan(&a.ID, &a.CPR, &a.PersonKind, &a.Municipality, &a.SenderName, &a.SenderCVR, &a.FirstAbsenceDay,
		&last, &report, &a.LegalTextAcknowledged, &recovered)
	if err != nil {
		return a, err
	}
	a.FirstAbsenceDay = tasks.Day(a.FirstAbsenceDay)
	if last != nil {
		d := tasks.Day(*last)
		a.LastAbsenceDay = &d
	}
	if recovered != nil {
		d := tasks.Day(*recovered)
		a.RecoveredOn = &d
	}
	if len(report) > 0 {
		a.Report = report
		var r struct {
			Retention *form.Retention `json:"retention"`
		}
		if json.Unmarshal(report, &r) == nil {
			a.Retention = r.Retention
		}
	}
	return a, nil
}

func loadTasks(ctx context.Context, q db, absence string) ([]tasks.Task, error) {
	rows, err := q.Query(ctx, `SELECT id, kind, status, deadline, created_on, answered_at, coalesce(answer_id, '')
		FROM tasks WHERE absence_id = $1 ORDER BY position`, absence)
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tasks.Task, error) {
		var t tasks.Task
		err := r.Scan(&t.ID, &t.Kind, &t.Status, &t.Deadline, &t.CreatedAt, &t.AnsweredAt, &t.AnswerID)
		t.Deadline, t.CreatedAt = tasks.Day(t.Deadline), tasks.Day(t.CreatedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("load tasks: %w", err)
	}
	return out, nil
}

// saveAbsence writes the absence and its tasks (insert or update).
func saveAbsence(ctx context.Context, q db, a tasks.Absence) error {
	var report any
	if len(a.Report) > 0 {
		report = []byte(a.Report)
	}
	_, err := q.Exec(ctx, `INSERT INTO absences (`+absenceColumns+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)
		ON CONFLICT (id) DO UPDATE SET last_day = EXCLUDED.last_day, report = EXCLUDED.report,
		  legal_ack_at = EXCLUDED.legal_ack_at, recovered_on = EXCLUDED.recovered_on`,
		a.ID, a.CPR, a.PersonKind, a.Municipality, a.SenderName, a.SenderCVR, a.FirstAbsenceDay, a.LastAbsenceDay, report,
		a.LegalTextAcknowledged, a.RecoveredOn)
	if err != nil {
		return fmt.Errorf("save absence: %w", err)
	}
	for i, t := range a.Tasks {
		var answer any
		if t.AnswerID != "" {
			answer = t.AnswerID
		}
		_, err := q.Exec(ctx, `INSERT INTO tasks (id, absence_id, kind, position, status, deadline, created_on, answered_at, answer_id)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
			ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, deadline = EXCLUDED.deadline,
			  answered_at = EXCLUDED.answered_at, answer_id = EXCLUDED.answer_id`,
			t.ID, a.ID, t.Kind, i, t.Status, t.Deadline, t.CreatedAt, t.AnsweredAt, answer)
		if err != nil {
			return fmt.Errorf("save task: %w", err)
		}
	}
	return nil
}

// storedAnswer is an answer row: a receipt in "Mit forløb".
type storedAnswer struct {
	ID             string
	AbsenceID      string
	TaskID         string
	Kind           string
	Body           json.RawMessage
	Signed, Sent   bool
	DocumentRefs   []string
	Actor, Role    string
	OnBehalfOf     string
	SubmittedAt    time.Time
	DeliveryItemID string
	ReceiptStatus  string
	ReceiptPDF     string
	ReceiptChannel string
}

func insertAnswer(ctx context.Context, q db, s storedAnswer) error {
	var task any
	if s.TaskID != "" {
		task = s.TaskID
	}
	if s.DocumentRefs == nil {
		s.DocumentRefs = []string{}
	}
	_, err := q.Exec(ctx, `INSERT INTO answers (id, absence_id, task_id, kind, body, signed, sent, document_refs, actor, role,
		on_behalf_of, submitted_at, delivery_item_id, receipt_status) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		s.ID, s.AbsenceID, task, s.Kind, []byte(s.Body), s.Signed, s.Sent, s.DocumentRefs, s.Actor, s.Role, s.OnBehalfOf,
		s.SubmittedAt, s.DeliveryItemID, s.ReceiptStatus)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return tasks.ErrAnswered
	}
	if err != nil {
		return fmt.Errorf("save answer: %w", err)
	}
	return nil
}

func answersOf(ctx context.Context, q db, absence string) ([]storedAnswer, error) {
	rows, err := q.Query(ctx, `SELECT id, absence_id, coalesce(task_id, ''), kind, body, signed, sent, document_refs, actor, role,
		on_behalf_of, submitted_at, delivery_item_id, receipt_status, receipt_pdf, receipt_channel
		FROM answers WHERE absence_id = $1 ORDER BY submitted_at, id`, absence)
	if err != nil {
		return nil, fmt.Errorf("load answers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedAnswer, error) {
		var s storedAnswer
		err := r.Scan(&s.ID, &s.AbsenceID, &s.TaskID, &s.Kind, &s.Body, &s.Signed, &s.Sent, &s.DocumentRefs, &s.Actor, &s.Role,
			&s.OnBehalfOf, &s.SubmittedAt, &s.DeliveryItemID, &s.ReceiptStatus, &s.ReceiptPDF, &s.ReceiptChannel)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("load answers: %w", err)
	}
	return out, nil
}

// loadDraft returns the information form's draft (empty when none).
func loadDraft(ctx context.Context, q db, absence string) (form.Draft, error) {
	var d form.Draft
	var raw []byte
	err := q.QueryRow(ctx, `SELECT draft FROM drafts WHERE absence_id = $1`, absence).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return form.Draft{Answers: form.Answers{}}, nil
	}
	if err != nil {
		return d, fmt.Errorf("load draft: %w", err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("decode draft: %w", err)
	}
	if d.Answers == nil {
		d.Answers = form.Answers{}
	}
	return d, nil
}

func saveDraft(ctx context.Context, q db, absence, by string, d form.Draft, now time.Time) error {
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode draft: %w", err)
	}
	_, err = q.Exec(ctx, `INSERT INTO drafts (absence_id, draft, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (absence_id) DO UPDATE SET draft = EXCLUDED.draft, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
		absence, b, now, by)
	if err != nil {
		return fmt.Errorf("save draft: %w", err)
	}
	return nil
}

// documentsOf loads the uploads known for an absence.
func documentsOf(ctx context.Context, q db, absence string) (tasks.Documents, error) {
	rows, err := q.Query(ctx, `SELECT id, absence_id, title, status, reason FROM documents WHERE absence_id = $1`, absence)
	if err != nil {
		return nil, fmt.Errorf("load documents: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (tasks.Document, error) {
		var d tasks.Document
		err := r.Scan(&d.ID, &d.AbsenceID, &d.Title, &d.Status, &d.Reason)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("load documents: %w", err)
	}
	out := tasks.Documents{}
	for _, d := range list {
		out[d.ID] = d
	}
	return out, nil
}

// rejectedUpload is an infected upload for an absence: "Mit forløb" shows
// that the person tried to send it.
type rejectedUpload struct {
	DocumentID string    `json:"documentId"`
	Title      string    `json:"title"`
	Reason     string    `json:"reason"`
	RejectedAt time.Time `json:"rejectedAt"`
}

func rejectedUploadsOf(ctx context.Context, q db, absence string) ([]rejectedUpload, error) {
	rows, err := q.Query(ctx, `SELECT id, title, reason, decided_at FROM documents WHERE absence_id = $1 AND status = 'rejected' ORDER BY decided_at`, absence)
	if err != nil {
		return nil, fmt.Errorf("load rejected uploads: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[rejectedUpload])
	if err != nil {
		return nil, fmt.Errorf("load rejected uploads: %w", err)
	}
	return out, nil
}
