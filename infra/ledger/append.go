package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DBTX is what Append, AppendBatch, Stream and Search need from Postgres:
// pgx.Tx, *pgxpool.Pool, *pgxpool.Conn and *pgx.Conn all satisfy it.
type DBTX interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// appendSQL moves the stream's head one link forward (creating it at seq 1
// on the genesis hash) and inserts the entry, in one statement. The head's
// row lock, held until the caller's transaction ends, serialises appends to
// one stream; different streams do not wait for each other.
const appendSQL = `WITH h AS (
  INSERT INTO ledger.heads AS lh (stream, seq, prev_hash, hash)
  VALUES ($1, 1, $15::bytea, sha256($15::bytea || int8send(1::bigint) || $14::bytea))
  ON CONFLICT (stream) DO UPDATE
    SET seq = lh.seq + 1, prev_hash = lh.hash, hash = sha256(lh.hash || int8send(lh.seq + 1) || $14::bytea)
  RETURNING seq, prev_hash, hash
)
INSERT INTO ledger.entries (stream, seq, recorded_at, actor, role, on_behalf_of, event_type, event_source,
  event_id, cause, correlation, reason, payload, payload_digest, content_digest, prev_hash, hash)
SELECT $1, h.seq, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::json, $12, $13, $14, h.prev_hash, h.hash FROM h
RETURNING seq, prev_hash, hash`

// prepared is an entry ready to append: normalised, with its digests.
type prepared struct {
	e             Entry
	payloadDigest []byte
	contentDigest []byte
}

func prepare(e Entry, now time.Time) (prepared, error) {
	e, err := normalize(e, now)
	if err != nil {
		return prepared{}, err
	}
	pd := payloadDigest(e.Payload)
	return prepared{e: e, payloadDigest: pd, contentDigest: contentDigest(e, pd)}, nil
}

func (p prepared) args() []any {
	var reason any // nil is SQL NULL
	if p.e.Reason != nil {
		reason = string(p.e.Reason)
	}
	e := p.e
	return []any{e.Stream, e.RecordedAt, e.Actor, e.Role, e.OnBehalfOf, e.EventType, e.EventSource,
		e.EventID, e.Cause, e.Correlation, reason, e.Payload, p.payloadDigest, p.contentDigest, genesis}
}

func (p prepared) record(seq int64, prev, hash []byte) Record {
	return Record{Entry: p.e, Seq: seq, PrevHash: prev, Hash: hash, PayloadDigest: p.payloadDigest, ContentDigest: p.contentDigest}
}

// Append records e at the end of its stream in one round trip and returns
// the stored record. Call it with the transaction that changes the state the
// entry describes, so both commit or neither does; the stream's head stays
// locked until that transaction ends, so keep such transactions short. In
// REPEATABLE READ or SERIALIZABLE transactions a concurrent append to the
// same stream makes it fail with a serialization error; retry the
// transaction. Append returns an error when e has no Stream, Actor or
// EventType, when a text field is not valid UTF-8 or holds NUL, or when
// Reason is not valid JSON.
func Append(ctx context.Context, db DBTX, e Entry) (Record, error) {
	p, err := prepare(e, time.Now())
	if err != nil {
		return Record{}, err
	}
	var seq int64
	var prev, hash []byte
	if err := db.QueryRow(ctx, appendSQL, p.args()...).Scan(&seq, &prev, &hash); err != nil {
		return Record{}, fmt.Errorf("ledger: append to stream %q: %w", p.e.Stream, err)
	}
	return p.record(seq, prev, hash), nil
}

// AppendBatch appends es in one round trip (a pgx batch, atomic on its own
// and part of db's transaction when db is one) and returns their records in
// the order of es. Entries of one stream are chained in the order given.
// Streams are locked in sorted order, so concurrent batches touching the same
// streams cannot deadlock each other; an explicit transaction that also
// calls Append should append in sorted stream order for the same reason.
func AppendBatch(ctx context.Context, db DBTX, es []Entry) ([]Record, error) {
	if len(es) == 0 {
		return nil, nil
	}
	now := time.Now()
	ps := make([]prepared, len(es))
	for i, e := range es {
		p, err := prepare(e, now)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		ps[i] = p
	}
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(ps[a].e.Stream, ps[b].e.Stream) })
	b := &pgx.Batch{}
	for _, i := range order {
		b.Queue(appendSQL, ps[i].args()...)
	}
	br := db.SendBatch(ctx, b)
	out := make([]Record, len(es))
	for _, i := range order {
		var seq int64
		var prev, hash []byte
		if err := br.QueryRow().Scan(&seq, &prev, &hash); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("ledger: append batch, stream %q: %w", ps[i].e.Stream, err)
		}
		out[i] = ps[i].record(seq, prev, hash)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("ledger: append batch: %w", err)
	}
	return out, nil
}
