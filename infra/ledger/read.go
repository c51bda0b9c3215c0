package ledger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

const recordColumns = `stream, seq, recorded_at, actor, role, on_behalf_of, event_type, event_source,
  event_id, cause, correlation, reason::text, payload, payload_digest, content_digest, prev_hash, hash`

// scanRecord reads one row selected with recordColumns.
func scanRecord(row pgx.CollectableRow) (Record, error) {
	var r Record
	var reason *string
	err := row.Scan(&r.Stream, &r.Seq, &r.RecordedAt, &r.Actor, &r.Role, &r.OnBehalfOf, &r.EventType,
		&r.EventSource, &r.EventID, &r.Cause, &r.Correlation, &reason, &r.Payload, &r.PayloadDigest,
		&r.ContentDigest, &r.PrevHash, &r.Hash)
	if err != nil {
		return r, err
	}
	if reason != nil {
		r.Reason = []byte(*reason)
	}
	r.RecordedAt = r.RecordedAt.UTC()
	return r, nil
}

// Stream returns the last limit records of stream in ascending seq order
// (all of them when limit <= 0). It does not verify them; see Verify.
func Stream(ctx context.Context, db DBTX, stream string, limit int) ([]Record, error) {
	q := `SELECT * FROM (SELECT ` + recordColumns + ` FROM ledger.entries WHERE stream = $1
  ORDER BY seq DESC LIMIT $2) r ORDER BY seq`
	var lim any // nil is LIMIT ALL
	if limit > 0 {
		lim = limit
	}
	rows, err := db.Query(ctx, q, stream, lim)
	if err != nil {
		return nil, fmt.Errorf("ledger: read stream %q: %w", stream, err)
	}
	recs, err := pgx.CollectRows(rows, scanRecord)
	if err != nil {
		return nil, fmt.Errorf("ledger: read stream %q: %w", stream, err)
	}
	return recs, nil
}

// Search returns up to limit records (all when limit <= 0) with the given
// correlation id, across streams, in the order they were recorded.
func Search(ctx context.Context, db DBTX, correlation string, limit int) ([]Record, error) {
	q := `SELECT ` + recordColumns + ` FROM ledger.entries WHERE correlation = $1
  ORDER BY recorded_at, stream, seq LIMIT $2`
	var lim any
	if limit > 0 {
		lim = limit
	}
	rows, err := db.Query(ctx, q, correlation, lim)
	if err != nil {
		return nil, fmt.Errorf("ledger: search correlation: %w", err)
	}
	recs, err := pgx.CollectRows(rows, scanRecord)
	if err != nil {
		return nil, fmt.Errorf("ledger: search correlation: %w", err)
	}
	return recs, nil
}
