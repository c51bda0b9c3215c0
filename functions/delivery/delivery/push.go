package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// itemNamespace makes pushed CloudEvent ids stable per item.
var itemNamespace = uuid.MustParse("6f1d7c36-3b0e-4d8e-9a51-2f5b0e1c9a77")

// Backoff is the wait after the n-th consecutive failure of a sink (n ≥ 1):
// base·2^(n−1), capped at max, plus up to 10 % jitter so sinks that failed
// together do not retry together.
func Backoff(n int, base, max time.Duration) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// SinkRequest is the body of PUT /api/v1/deliveries/{recipient}/sink.
type SinkRequest struct {
	URL string `json:"url"`
}

// SinkStatus is a recipient's push sink and how far it got.
type SinkStatus struct {
	Recipient     string     `json:"recipient"`
	URL           string     `json:"url,omitempty"`
	Delivered     int64      `json:"delivered"`
	Last          int64      `json:"last"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"nextAttemptAt,omitempty"`
	LastError     string     `json:"lastError,omitempty"`
}

func (f *Function) checkSinkURL(raw string) error {
	u, err := url.Parse(raw)
	bad := err != nil || u.Host == "" || (u.Scheme != "https" && (u.Scheme != "http" || f.cfg.SinkRequireHTTPS)) || u.User != nil
	if bad {
		return runtime.Invalid(events.FieldErrors{{Field: "url", Code: "url",
			Da: "Adressen skal være en absolut https-adresse uden brugeroplysninger.", En: "The address must be an absolute https URL without user information."}})
	}
	return nil
}

// putSink registers the recipient's push sink. Pushing continues from the
// delivered cursor: nothing is skipped, nothing acknowledged is resent.
func (f *Function) putSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		f.deny(w, r, p, "deliveries/"+rcpt+"/sink")
		return
	}
	var in SinkRequest
	if err := readBody(w, r, &in); err != nil {
		runtime.WriteError(w, err)
		return
	}
	if err := f.checkSinkURL(in.URL); err != nil {
		runtime.WriteError(w, err)
		return
	}
	err := f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(r.Context(), `INSERT INTO recipients (recipient, sink_url, sink_set_at, sink_set_by) VALUES ($1, $2, now(), $3)
			ON CONFLICT (recipient) DO UPDATE SET sink_url = $2, sink_set_at = now(), sink_set_by = $3,
				push_attempts = 0, next_push_at = NULL, last_push_error = NULL`, rcpt, in.URL, p.Subject); err != nil {
			return fmt.Errorf("store sink: %w", err)
		}
		return f.recordAdmin(r, tx, p, "deliveries/"+rcpt, "dk.nemrefusion.delivery.sink.registered.v1", map[string]string{"recipient": rcpt, "url": in.URL})
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	f.Wake()
	f.writeSink(w, r, rcpt, http.StatusOK)
}

func (f *Function) getSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		f.deny(w, r, p, "deliveries/"+rcpt+"/sink")
		return
	}
	f.writeSink(w, r, rcpt, http.StatusOK)
}

func (f *Function) deleteSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		f.deny(w, r, p, "deliveries/"+rcpt+"/sink")
		return
	}
	err := f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		if _, err := tx.Exec(r.Context(), `UPDATE recipients SET sink_url = NULL, push_attempts = 0, next_push_at = NULL, last_push_error = NULL WHERE recipient = $1`, rcpt); err != nil {
			return fmt.Errorf("remove sink: %w", err)
		}
		return f.recordAdmin(r, tx, p, "deliveries/"+rcpt, "dk.nemrefusion.delivery.sink.removed.v1", map[string]string{"recipient": rcpt})
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	f.writeSink(w, r, rcpt, http.StatusOK)
}

func (f *Function) writeSink(w http.ResponseWriter, r *http.Request, rcpt string, status int) {
	s := SinkStatus{Recipient: rcpt}
	var sink, lastErr *string
	err := f.svc.DB.QueryRow(r.Context(), `SELECT sink_url, delivered_seq, last_seq, push_attempts, next_push_at, last_push_error FROM recipients WHERE recipient = $1`, rcpt).
		Scan(&sink, &s.Delivered, &s.Last, &s.Attempts, &s.NextAttemptAt, &lastErr)
	if err != nil && !isNoRows(err) {
		runtime.WriteError(w, fmt.Errorf("read sink: %w", err))
		return
	}
	if sink != nil {
		s.URL = *sink
	}
	if lastErr != nil {
		s.LastError = *lastErr
	}
	runtime.WriteJSON(w, status, s)
}

// recordAdmin appends an administrative change by p to the ledger.
func (f *Function) recordAdmin(r *http.Request, tx *runtime.Tx, p auth.Principal, stream, eventType string, what any) error {
	payload, _ := json.Marshal(what)
	_, err := tx.Record(r.Context(), ledger.Entry{Stream: stream, Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
		EventType: eventType, EventSource: events.SourcePrefix + "delivery", Payload: payload})
	return err
}

// PushDue pushes every due item to its recipient's sink, one item at a
// time per recipient and in order, until no recipient has a due item. It
// returns how many items sinks accepted.
func (f *Function) PushDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		pushed, found, err := f.pushOne(ctx)
		if err != nil {
			return n, err
		}
		if !found {
			return n, nil
		}
		if pushed {
			n++
		}
	}
	return n, ctx.Err()
}

// pushOne pushes the next item of one due recipient. The recipient's push
// lock (a transaction-level advisory lock) makes sure only one replica
// pushes a recipient at a time; the stream row itself is locked only for
// the short update afterwards, so new items keep arriving meanwhile.
func (f *Function) pushOne(ctx context.Context) (pushed, found bool, err error) {
	rows, err := f.svc.DB.Query(ctx, `SELECT recipient FROM recipients
		WHERE sink_url IS NOT NULL AND delivered_seq < last_seq AND (next_push_at IS NULL OR next_push_at <= now())
		ORDER BY next_push_at NULLS FIRST, recipient LIMIT 20`)
	if err != nil {
		return false, false, fmt.Errorf("find due sinks: %w", err)
	}
	due, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return false, false, fmt.Errorf("find due sinks: %w", err)
	}
	for _, rcpt := range due {
		var locked bool
		err := f.svc.Do(ctx, nil, func(tx *runtime.Tx) error {
			if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock(hashtextextended('delivery-push:' || $1, 0))`, rcpt).Scan(&locked); err != nil {
				return fmt.Errorf("push lock: %w", err)
			}
			if !locked {
				return nil
			}
			var sink *string
			var delivered, last int64
			var attempts int
			var next *time.Time
			if err := tx.QueryRow(ctx, `SELECT sink_url, delivered_seq, last_seq, push_attempts, next_push_at FROM recipients WHERE recipient = $1`, rcpt).
				Scan(&sink, &delivered, &last, &attempts, &next); err != nil {
				return fmt.Errorf("read stream %s: %w", rcpt, err)
			}
			if sink == nil || delivered >= last || (next != nil && next.After(time.Now())) {
				locked = false // someone else got there first
				return nil
			}
			it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM items WHERE recipient = $1 AND seq = $2`, rcpt, delivered+1))
			if err != nil {
				return fmt.Errorf("read item %d of %s: %w", delivered+1, rcpt, err)
			}
			if perr := f.send(ctx, *sink, it); perr != nil {
				attempts++
				wait := Backoff(attempts, f.cfg.PushBackoffBase, f.cfg.PushBackoffMax)
				runtime.Logger(ctx).WarnContext(ctx, "push failed; will retry", "recipient", rcpt, "seq", it.Seq, "attempt", attempts, "retry_in", wait.String(), "err", perr.Error())
				_, err := tx.Exec(ctx, `UPDATE recipients SET push_attempts = $2, next_push_at = now() + $3::interval, last_push_error = $4 WHERE recipient = $1`,
					rcpt, attempts, fmt.Sprintf("%d milliseconds", wait.Milliseconds()), truncate(perr.Error(), 300))
				return err
			}
			pushed = true
			if _, err := tx.Exec(ctx, `UPDATE recipients SET push_attempts = 0, next_push_at = NULL, last_push_error = NULL WHERE recipient = $1`, rcpt); err != nil {
				return fmt.Errorf("reset push state: %w", err)
			}
			_, _, err = f.deliver(ctx, tx, rcpt, it.Seq, "push", auth.Principal{})
			return err
		})
		if err != nil {
			return false, true, err
		}
		if locked {
			return pushed, true, nil
		}
	}
	return false, false, nil
}

// send pushes one item as a structured-mode CloudEvent; only 2xx counts.
func (f *Function) send(ctx context.Context, sink string, it item) error {
	ev := cloudevents.NewEvent()
	ev.SetID(uuid.NewSHA1(itemNamespace, []byte(it.ItemID)).String())
	ev.SetType(events.DeliveryItem)
	ev.SetSource(events.SourcePrefix + "delivery")
	ev.SetSubject(it.Recipient + "/" + fmt.Sprint(it.Seq))
	ev.SetTime(it.createdAt)
	ev.SetDataSchema(events.Schema(events.DeliveryItem))
	ev.SetExtension(events.ExtPartitionKey, it.CaseRef)
	if err := ev.SetData(cloudevents.ApplicationJSON, it.DeliveryItemData); err != nil {
		return fmt.Errorf("encode item: %w", err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.PushTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sink, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("push request: %w", err)
	}
	req.Header.Set("Content-Type", "application/cloudevents+json; charset=utf-8")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("push: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("push: sink answered %d", resp.StatusCode)
	}
	return nil
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	return s[:n]
}
