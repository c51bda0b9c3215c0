package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
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

// SinkStatus is a recipient's push sink and how far it got. LastError is
// a category (PushErr…) with its texts, never the sink's own answer.
type SinkStatus struct {
	Recipient     string     `json:"recipient"`
	URL           string     `json:"url,omitempty"`
	Delivered     int64      `json:"delivered"`
	Last          int64      `json:"last"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"nextAttemptAt,omitempty"`
	LastError     string     `json:"lastError,omitempty"`
	LastErrorDa   string     `json:"lastErrorDa,omitempty"`
	LastErrorEn   string     `json:"lastErrorEn,omitempty"`
	// KeyID names the secret pushes are signed with; PreviousKeyID the
	// one that still signs too until PreviousUntil (a rollover).
	KeyID         string     `json:"keyId,omitempty"`
	PreviousKeyID string     `json:"previousKeyId,omitempty"`
	PreviousUntil *time.Time `json:"previousUntil,omitempty"`
	// Secret is the signing secret (base64; the HMAC key is the decoded
	// bytes), shown once: in the answer that created it.
	Secret string `json:"secret,omitempty"`
}

// putSink registers the recipient's push sink. Pushing continues from the
// delivered cursor: nothing is skipped, nothing acknowledged is resent.
func (f *Function) putSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt+"/sink", "tenant")
		return
	}
	var in SinkRequest
	if err := runtime.ReadJSON(w, r, &in); err != nil {
		runtime.WriteError(w, err)
		return
	}
	if err := f.checkSinkURL(r.Context(), in.URL); err != nil {
		runtime.WriteError(w, err)
		return
	}
	key, err := newSigningKey(rcpt)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	var created bool
	err = f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		// The first registration creates the signing secret; a new URL
		// keeps the secret the recipient already holds.
		if err := tx.QueryRow(r.Context(), `INSERT INTO recipients (recipient, sink_url, sink_set_at, sink_set_by, push_key_id, push_secret) VALUES ($1, $2, now(), $3, $4, $5)
			ON CONFLICT (recipient) DO UPDATE SET sink_url = $2, sink_set_at = now(), sink_set_by = $3,
				push_attempts = 0, next_push_at = NULL, last_push_error = NULL,
				push_key_id = COALESCE(recipients.push_key_id, $4), push_secret = COALESCE(recipients.push_secret, $5)
			RETURNING push_key_id = $4`, rcpt, in.URL, p.Subject, key.ID, key.Secret).Scan(&created); err != nil {
			return fmt.Errorf("store sink: %w", err)
		}
		return f.recordAdmin(r, tx, p, "deliveries/"+rcpt, "dk.nemrefusion.delivery.sink.registered.v1", map[string]string{"recipient": rcpt, "url": in.URL})
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	f.Wake()
	secret := ""
	if created {
		secret = base64.StdEncoding.EncodeToString(key.Secret)
	}
	f.writeSinkWith(w, r, rcpt, http.StatusOK, secret)
}

// rotateSecret handles POST /api/v1/deliveries/{recipient}/sink/secret
// (the recipient's own case system or caseworkers, as for the sink): a new
// signing secret, shown once in the answer, signs from now on; the one it
// replaces keeps signing as a second signature for PushKeyRollover, so the
// recipient can switch without losing a push. 409 when no sink is
// registered.
func (f *Function) rotateSecret(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt+"/sink", "tenant")
		return
	}
	key, err := newSigningKey(rcpt)
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	var found bool
	err = f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		tag, err := tx.Exec(r.Context(), `UPDATE recipients SET push_prev_key_id = push_key_id, push_prev_secret = push_secret,
				push_prev_until = now() + $4::interval, push_key_id = $2, push_secret = $3
			WHERE recipient = $1 AND sink_url IS NOT NULL`, rcpt, key.ID, key.Secret, fmt.Sprintf("%d milliseconds", f.cfg.PushKeyRollover.Milliseconds()))
		if err != nil {
			return fmt.Errorf("rotate push secret: %w", err)
		}
		if found = tag.RowsAffected() == 1; !found {
			return nil
		}
		return f.recordAdmin(r, tx, p, "deliveries/"+rcpt, "dk.nemrefusion.delivery.sink.secret-rotated.v1", map[string]string{"recipient": rcpt, "keyId": key.ID})
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	if !found {
		runtime.WriteError(w, runtime.Fail(runtime.KindConflict, "no-sink", "Der er ingen push-adresse at skifte nøgle for.", "There is no push sink to rotate the secret of.", nil))
		return
	}
	f.writeSinkWith(w, r, rcpt, http.StatusOK, base64.StdEncoding.EncodeToString(key.Secret))
}

func (f *Function) getSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt+"/sink", "tenant")
		return
	}
	f.writeSink(w, r, rcpt, http.StatusOK)
}

func (f *Function) deleteSink(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt+"/sink", "tenant")
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
	f.writeSinkWith(w, r, rcpt, status, "")
}

func (f *Function) writeSinkWith(w http.ResponseWriter, r *http.Request, rcpt string, status int, secret string) {
	s := SinkStatus{Recipient: rcpt, Secret: secret}
	var sink, lastErr, keyID, prevID *string
	err := f.svc.DB.QueryRow(r.Context(), `SELECT sink_url, delivered_seq, last_seq, push_attempts, next_push_at, last_push_error,
			push_key_id, CASE WHEN push_prev_until > now() THEN push_prev_key_id END, CASE WHEN push_prev_until > now() THEN push_prev_until END
		FROM recipients WHERE recipient = $1`, rcpt).
		Scan(&sink, &s.Delivered, &s.Last, &s.Attempts, &s.NextAttemptAt, &lastErr, &keyID, &prevID, &s.PreviousUntil)
	if err != nil && !isNoRows(err) {
		runtime.WriteError(w, fmt.Errorf("read sink: %w", err))
		return
	}
	if sink != nil {
		s.URL = *sink
	}
	if lastErr != nil {
		s.LastError = *lastErr
		texts, ok := pushErrorTexts[s.LastError]
		if !ok { // written before categories: show only that it failed
			s.LastError, texts = PushErrOther, pushErrorTexts[PushErrOther]
		}
		s.LastErrorDa, s.LastErrorEn = texts[0], texts[1]
	}
	if keyID != nil {
		s.KeyID = *keyID
	}
	if prevID != nil {
		s.PreviousKeyID = *prevID
	}
	w.Header().Set("Cache-Control", "no-store")
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
		WHERE sink_url IS NOT NULL AND push_secret IS NOT NULL AND delivered_seq < last_seq AND (next_push_at IS NULL OR next_push_at <= now())
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
			var sink, keyID, prevID *string
			var secret, prevSecret []byte
			var delivered, last int64
			var attempts int
			var next *time.Time
			if err := tx.QueryRow(ctx, `SELECT sink_url, delivered_seq, last_seq, push_attempts, next_push_at, push_key_id, push_secret,
					CASE WHEN push_prev_until > now() THEN push_prev_key_id END, CASE WHEN push_prev_until > now() THEN push_prev_secret END
				FROM recipients WHERE recipient = $1`, rcpt).
				Scan(&sink, &delivered, &last, &attempts, &next, &keyID, &secret, &prevID, &prevSecret); err != nil {
				return fmt.Errorf("read stream %s: %w", rcpt, err)
			}
			if sink == nil || keyID == nil || len(secret) == 0 || delivered >= last || (next != nil && next.After(time.Now())) {
				locked = false // someone else got there first
				return nil
			}
			it, err := scanItem(tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM items WHERE recipient = $1 AND seq = $2`, rcpt, delivered+1))
			if err != nil {
				return fmt.Errorf("read item %d of %s: %w", delivered+1, rcpt, err)
			}
			keys := []SigningKey{{ID: *keyID, Secret: secret}}
			if prevID != nil && len(prevSecret) > 0 {
				keys = append(keys, SigningKey{ID: *prevID, Secret: prevSecret})
			}
			if perr := f.send(ctx, *sink, it, keys); perr != nil {
				attempts++
				wait := Backoff(attempts, f.cfg.PushBackoffBase, f.cfg.PushBackoffMax)
				pe := classify(perr)
				// The cause stays in the log (no personal data in it); the
				// recipient sees only the category.
				runtime.Logger(ctx).WarnContext(ctx, "push failed; will retry", "recipient", rcpt, "seq", it.Seq, "attempt", attempts, "retry_in", wait.String(), "category", pe.category, "err", truncate(perr.Error(), 300))
				_, err := tx.Exec(ctx, `UPDATE recipients SET push_attempts = $2, next_push_at = now() + $3::interval, last_push_error = $4 WHERE recipient = $1`,
					rcpt, attempts, fmt.Sprintf("%d milliseconds", wait.Milliseconds()), pe.category)
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

// send pushes one item as a structured-mode CloudEvent signed with keys
// (pushsign.go); only 2xx counts, a redirect is not followed. Errors are
// *pushError or transport errors (classify).
func (f *Function) send(ctx context.Context, sink string, it item, keys []SigningKey) error {
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
	signPush(req, sink, body, keys, time.Now())
	resp, err := f.client.Do(req)
	if err != nil {
		return classify(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return statusError(resp.StatusCode)
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
