package accept

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// Reserved reports whether stream is one of the system's own: the
// access-denied log, the read log (reads/…) and the ledger's checkpoints.
// Nobody outside may write into them, whatever the role.
func Reserved(stream string) bool {
	return stream == auth.StreamAccessDenied || stream == "ledger-checkpoints" || strings.HasPrefix(stream, "reads/")
}

// querier is a transaction or a pool.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func (f *Front) owner(ctx context.Context, q querier, stream string) (string, error) {
	var owner string
	err := q.QueryRow(ctx, `SELECT tenant FROM `+f.schema+`.stream_owners WHERE stream = $1`, stream).Scan(&owner)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("stream owner: %w", err)
	}
	return owner, nil
}

func (f *Front) delivered(ctx context.Context, q querier, stream, tenant string) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+f.schema+`.stream_recipients WHERE stream = $1 AND tenant = $2)`, stream, tenant).Scan(&ok); err != nil {
		return false, fmt.Errorf("stream recipients: %w", err)
	}
	return ok, nil
}

// streamPolicy decides whether p may write eventType into stream, from the
// state: reserved streams are nobody's; the case systems' feedback goes only
// into a stream delivered to p's tenant (never a new one, never claimed);
// everything else goes into a new stream (claim is true: p's tenant opens
// it) or one p's tenant opened.
func (f *Front) streamPolicy(ctx context.Context, q querier, p auth.Principal, eventType, stream string) (claim bool, err error) {
	if Reserved(stream) {
		return false, Denied{Stream: stream, Reason: "reserved"}
	}
	if slices.Contains(events.FeedbackTypes, eventType) {
		ok, err := f.delivered(ctx, q, stream, p.Tenant())
		if err != nil {
			return false, err
		}
		if !ok {
			return false, Denied{Stream: stream, Reason: "tenant"}
		}
		return false, nil
	}
	owner, err := f.owner(ctx, q, stream)
	if err != nil {
		return false, err
	}
	switch {
	case owner == "":
		return true, nil
	case owner != p.Tenant():
		return false, Denied{Stream: stream, Reason: "tenant"}
	}
	return false, nil
}

// CheckStream is streamPolicy read-only, for a blanket prepared into a
// stream that exists (a follow-up on an absence): Denied when p may not
// write eventType into stream. Nothing is claimed.
func (f *Front) CheckStream(ctx context.Context, q querier, p auth.Principal, eventType, stream string) error {
	if stream == "" {
		return nil
	}
	_, err := f.streamPolicy(ctx, q, p, eventType, stream)
	return err
}

// claimStream authorises a submission to stream and claims a new stream for
// p's tenant. A stream claimed concurrently by someone else is checked
// again against its owner.
func (f *Front) claimStream(ctx context.Context, tx *runtime.Tx, p auth.Principal, eventType, stream string) error {
	claim, err := f.streamPolicy(ctx, tx, p, eventType, stream)
	if err != nil || !claim {
		return err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO `+f.schema+`.stream_owners (stream, tenant) VALUES ($1, $2) ON CONFLICT (stream) DO NOTHING`, stream, p.Tenant())
	if err != nil {
		return fmt.Errorf("claim stream: %w", err)
	}
	if tag.RowsAffected() == 0 {
		_, err := f.streamPolicy(ctx, tx, p, eventType, stream)
		return err
	}
	return nil
}
