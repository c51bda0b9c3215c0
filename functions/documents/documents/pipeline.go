package documents

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/clamav"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// Statuses of a document.
const (
	StatusAwaitingScan = "awaiting-scan"
	StatusAccepted     = "accepted"
	StatusRejected     = "rejected"
)

// Document is one upload as stored.
type Document struct {
	ID          string
	Tenant      string // the uploader's tenant (auth.Principal.Tenant); may hold a CPR
	Uploader    string
	Role        string
	Title       string
	AbsenceID   string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Status      string
	Reason      string
	Signature   string
	Attempts    int
	UploadedAt  time.Time
	DecidedAt   *time.Time
}

// stream is the ledger stream of the document: its absence when known.
func (d Document) stream() string {
	if d.AbsenceID != "" {
		return d.AbsenceID
	}
	return "document-" + d.ID
}

const columns = `id, tenant, uploader, role, title, absence_id, filename, content_type, size, sha256, status, reason, signature, attempts, uploaded_at, decided_at`

func scan(row pgx.Row) (Document, error) {
	var d Document
	err := row.Scan(&d.ID, &d.Tenant, &d.Uploader, &d.Role, &d.Title, &d.AbsenceID, &d.Filename, &d.ContentType, &d.Size,
		&d.SHA256, &d.Status, &d.Reason, &d.Signature, &d.Attempts, &d.UploadedAt, &d.DecidedAt)
	return d, err
}

// ErrNotFound is returned by Load for an unknown id.
var ErrNotFound = errors.New("documents: no such document")

// Load reads one document.
func (f *Function) Load(ctx context.Context, id string) (Document, error) {
	d, err := scan(f.svc.DB.QueryRow(ctx, `SELECT `+columns+` FROM documents WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("load document: %w", err)
	}
	return d, nil
}

// quarantine stores body in the quarantine bucket and records the document
// as awaiting a scan, in one transaction with its ledger entry.
func (f *Function) quarantine(ctx context.Context, d Document, body []byte, actor ledger.Entry) error {
	if err := f.d.Store.Put(ctx, f.d.Quarantine, d.ID, bytes.NewReader(body), d.ContentType); err != nil {
		return runtime.Fail(runtime.KindUnavailable, "store-unavailable", "Dokumentet kan ikke gemmes lige nu. Prøv igen om lidt.",
			"The document cannot be stored right now. Please try again shortly.", err)
	}
	return f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO documents (id, tenant, uploader, role, title, absence_id, filename, content_type, size, sha256, status, uploaded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'awaiting-scan', $11)`,
			d.ID, d.Tenant, d.Uploader, d.Role, d.Title, d.AbsenceID, d.Filename, d.ContentType, d.Size, d.SHA256, d.UploadedAt); err != nil {
			return fmt.Errorf("store document %s: %w", d.ID, err)
		}
		e := actor
		e.Stream, e.EventType, e.EventSource, e.EventID = d.stream(), EntryUploaded, events.SourcePrefix+"documents", d.ID
		e.Payload, _ = json.Marshal(map[string]any{"documentId": d.ID, "title": d.Title, "contentType": d.ContentType, "size": d.Size, "sha256": d.SHA256})
		_, err := tx.Record(ctx, e)
		return err
	})
}

// EntryUploaded is the ledger entry type of an upload put in quarantine.
const EntryUploaded = "dk.nemrefusion.document.uploaded.v1"

// process scans the quarantined document d (reading body, or the
// quarantine object when body is nil) and acts on the verdict. It returns
// the document as it now stands; with clamd unavailable it stays awaiting
// a scan and the error matches clamav.ErrUnavailable.
func (f *Function) process(ctx context.Context, d Document, body io.Reader) (Document, error) {
	if body == nil {
		rc, _, err := f.d.Store.Get(ctx, f.d.Quarantine, d.ID)
		if err != nil {
			return d, fmt.Errorf("read quarantined %s: %w", d.ID, err)
		}
		defer rc.Close()
		body = rc
	}
	v, err := f.d.Scanner.Scan(ctx, body)
	if err != nil {
		if errors.Is(err, clamav.ErrUnavailable) {
			if _, uerr := f.svc.DB.Exec(ctx, `UPDATE documents SET attempts = attempts + 1, next_scan_at = now() + $2::interval
				WHERE id = $1 AND status = 'awaiting-scan'`, d.ID, f.d.Config.RescanInterval.String()); uerr != nil {
				return d, errors.Join(err, fmt.Errorf("note scan attempt: %w", uerr))
			}
			d.Attempts++
		}
		return d, fmt.Errorf("scan %s: %w", d.ID, err)
	}
	switch v.Status {
	case clamav.Clean:
		return f.accept(ctx, d)
	case clamav.Infected:
		return f.reject(ctx, d, events.DocumentInfected, v.Signature)
	case clamav.TooLarge:
		return f.reject(ctx, d, events.DocumentTooLarge, v.Signature)
	}
	return d, fmt.Errorf("scan %s: no verdict", d.ID)
}

// decide moves d from awaiting-scan to status in one transaction that also
// runs emit; it reports false when d was already decided (by a concurrent
// scan), in which case nothing is emitted.
func (f *Function) decide(ctx context.Context, d *Document, status, reason, signature string, emit func(tx *runtime.Tx) error) (bool, error) {
	decided := false
	err := f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
		var at time.Time
		err := tx.QueryRow(ctx, `UPDATE documents SET status = $2, reason = $3, signature = $4, decided_at = now()
			WHERE id = $1 AND status = 'awaiting-scan' RETURNING decided_at`, d.ID, status, reason, signature).Scan(&at)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("decide document %s: %w", d.ID, err)
		}
		decided = true
		d.Status, d.Reason, d.Signature, d.DecidedAt = status, reason, signature, &at
		return emit(tx)
	})
	return decided, err
}

// accept copies a clean document to the documents bucket, marks it
// accepted and announces it, then removes it from quarantine.
func (f *Function) accept(ctx context.Context, d Document) (Document, error) {
	if err := f.d.Store.Copy(ctx, f.d.Quarantine, d.ID, f.d.Documents, d.ID); err != nil {
		return d, fmt.Errorf("release %s: %w", d.ID, err)
	}
	decided, err := f.decide(ctx, &d, StatusAccepted, "", "", func(tx *runtime.Tx) error {
		return emitRecorded(ctx, tx, d, events.DocumentAccepted, events.DocumentAcceptedData{
			DocumentID: d.ID, Title: d.Title, ContentType: d.ContentType, Size: d.Size, SHA256: d.SHA256,
			AbsenceID: d.AbsenceID, AcceptedAt: d.DecidedAt.UTC()})
	})
	if err != nil {
		return d, err
	}
	if !decided {
		return f.Load(ctx, d.ID)
	}
	f.dropQuarantined(ctx, d.ID)
	return d, nil
}

// reject marks d rejected, announces it and, for an infected upload,
// requests the rejected-upload receipt for the uploader; then it deletes
// the file from quarantine.
func (f *Function) reject(ctx context.Context, d Document, reason, signature string) (Document, error) {
	decided, err := f.decide(ctx, &d, StatusRejected, reason, signature, func(tx *runtime.Tx) error {
		if err := emitRecorded(ctx, tx, d, events.DocumentRejected, events.DocumentRejectedData{
			DocumentID: d.ID, Title: d.Title, Reason: reason, Signature: signature, AbsenceID: d.AbsenceID,
			RejectedAt: d.DecidedAt.UTC()}); err != nil {
			return err
		}
		if reason != events.DocumentInfected {
			return nil
		}
		to, ok := party(d.Tenant)
		if !ok {
			return nil // no person or company to write to (e.g. a caseworker uploaded)
		}
		_, err := tx.Emit(ctx, events.LetterRequested, d.stream(), events.LetterRequest{
			Kind: events.LetterRejectedUpload, Recipient: to, Sender: f.sender, Reference: d.ID,
			Data: map[string]string{"documentTitle": d.Title, "attemptedAt": d.UploadedAt.UTC().Format(time.RFC3339)},
		})
		return err
	})
	if err != nil {
		return d, err
	}
	if !decided {
		return f.Load(ctx, d.ID)
	}
	f.dropQuarantined(ctx, d.ID)
	return d, nil
}

// dropQuarantined deletes the quarantine copy; a failure leaves an orphan
// nobody can read (the row's status decides), so it is only logged.
func (f *Function) dropQuarantined(ctx context.Context, id string) {
	if err := f.d.Store.Delete(ctx, f.d.Quarantine, id); err != nil {
		f.log.WarnContext(ctx, "could not delete quarantined file", "document_id", id, "err", err.Error())
	}
}

// party turns a tenant ("cpr:…" or "cvr:…") into a letter recipient.
func party(tenant string) (events.Party, bool) {
	kind, num, _ := strings.Cut(tenant, ":")
	switch kind {
	case "cpr":
		if c, err := ids.ParseCPR(num); err == nil {
			return events.Party{CPR: c}, true
		}
	case "cvr":
		if c, err := ids.ParseCVR(num); err == nil {
			return events.Party{CVR: c}, true
		}
	}
	return events.Party{}, false
}

// emitRecorded emits an event about d and appends it to the ledger in d's
// stream with the event's data (no personal data) as payload.
func emitRecorded(ctx context.Context, tx *runtime.Tx, d Document, typ string, data any) error {
	out, err := tx.Emit(ctx, typ, d.stream(), data)
	if err != nil {
		return err
	}
	_, err = tx.Record(ctx, ledger.Entry{Stream: d.stream(), EventType: typ, EventSource: out.Source(), EventID: out.ID(),
		Correlation: events.CorrelationID(out), Payload: out.Data()})
	return err
}

// RescanDue scans every document whose next scan is due, one at a time,
// until none is due or clamd is unavailable. Each document is claimed by
// moving its next scan forward (SKIP LOCKED), so concurrent loops and
// ticks never scan the same document at once. It returns how many it
// decided.
func (f *Function) RescanDue(ctx context.Context) (int, error) {
	n := 0
	for {
		d, err := scan(f.svc.DB.QueryRow(ctx, `UPDATE documents SET next_scan_at = now() + interval '2 minutes'
			WHERE id = (SELECT id FROM documents WHERE status = 'awaiting-scan' AND next_scan_at <= now()
			            ORDER BY next_scan_at LIMIT 1 FOR UPDATE SKIP LOCKED)
			RETURNING `+columns))
		if errors.Is(err, pgx.ErrNoRows) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("claim document: %w", err)
		}
		d, err = f.process(ctx, d, nil)
		if err != nil {
			return n, err
		}
		if d.Status != StatusAwaitingScan {
			n++
		}
	}
}
