package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// onDeliveryRequested puts the requested item in its recipient's stream.
func (f *Function) onDeliveryRequested(ctx context.Context, tx *runtime.Tx, _ cloudevents.Event, req events.DeliveryRequest) error {
	if _, err := ids.ParseRecipient(req.Recipient); err != nil {
		return events.FieldErrors{{Field: "recipient", Code: "unknown-recipient", Da: "Modtageren findes ikke.", En: "The recipient does not exist."}}
	}
	_, _, err := f.enqueue(ctx, tx, req)
	return err
}

// enqueue puts req in its recipient's stream exactly once per item id and
// returns its sequence number and whether it was new. The recipient's row
// lock allocates gapless sequence numbers, so items commit in sequence
// order and a reader following the stream never skips one. Items of a kind
// with feedback open the absence's feedback loop.
func (f *Function) enqueue(ctx context.Context, tx *runtime.Tx, req events.DeliveryRequest) (int64, bool, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('delivery-item:' || $1, 0))`, req.ItemID); err != nil {
		return 0, false, fmt.Errorf("lock item %s: %w", req.ItemID, err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM items WHERE item_id = $1)`, req.ItemID).Scan(&exists); err != nil {
		return 0, false, fmt.Errorf("find item: %w", err)
	}
	if exists {
		runtime.Logger(ctx).InfoContext(ctx, "delivery item already in its stream", "recipient", req.Recipient)
		return 0, false, nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO recipients (recipient) VALUES ($1) ON CONFLICT DO NOTHING`, req.Recipient); err != nil {
		return 0, false, fmt.Errorf("create stream %s: %w", req.Recipient, err)
	}
	var seq int64
	if err := tx.QueryRow(ctx, `UPDATE recipients SET last_seq = last_seq + 1 WHERE recipient = $1 RETURNING last_seq`, req.Recipient).Scan(&seq); err != nil {
		return 0, false, fmt.Errorf("allocate sequence in %s: %w", req.Recipient, err)
	}
	feedback := events.DeliveryKindHasFeedback(req.Kind)
	payload := req.Payload
	if len(payload) == 0 {
		payload = json.RawMessage(`{}`)
	}
	refs := req.DocumentRefs
	if refs == nil {
		refs = []string{}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO items (recipient, seq, item_id, kind, case_ref, sender, feedback, payload, document_refs)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		req.Recipient, seq, req.ItemID, req.Kind, req.CaseRef, req.Sender, feedback, payload, refs); err != nil {
		return 0, false, fmt.Errorf("store item: %w", err)
	}
	if err := storePerson(ctx, tx, req.CaseRef, payload); err != nil {
		return 0, false, err
	}
	if feedback {
		// The loop's recipient and sender are this item's (the first with
		// feedback): feedback_loops reads them from items.
		if _, err := tx.Exec(ctx, `INSERT INTO absences (absence_id) VALUES ($1) ON CONFLICT DO NOTHING`, req.CaseRef); err != nil {
			return 0, false, fmt.Errorf("open feedback loop: %w", err)
		}
	}
	reason, _ := json.Marshal(map[string]any{"recipient": req.Recipient, "seq": seq, "itemId": req.ItemID, "kind": req.Kind, "feedback": feedback})
	if _, err := tx.Record(ctx, ledger.Entry{Stream: req.CaseRef, Reason: reason}); err != nil {
		return 0, false, err
	}
	time.AfterFunc(50*time.Millisecond, f.Wake) // after the commit, most likely
	return seq, true, nil
}

// item is a stored stream item.
type item struct {
	events.DeliveryItemData
	createdAt time.Time
}

const itemColumns = `recipient, seq, item_id, kind, case_ref, sender, feedback, payload, document_refs, created_at`

func scanItem(row interface{ Scan(...any) error }) (item, error) {
	var it item
	var payload []byte
	err := row.Scan(&it.Recipient, &it.Seq, &it.ItemID, &it.Kind, &it.CaseRef, &it.Sender, &it.Feedback, &payload, &it.DocumentRefs, &it.createdAt)
	it.Payload = payload
	it.CreatedAt = it.createdAt.UTC().Format(time.RFC3339Nano)
	return it, err
}

// Page is the answer to a fetch.
type Page struct {
	Recipient string                    `json:"recipient"`
	Items     []events.DeliveryItemData `json:"items"`
	// Cursor is the seq of the last item returned (or the after given when
	// none was): acknowledge it, or pass it as after for the next page.
	Cursor string `json:"cursor"`
	// Delivered is the recipient's acknowledged cursor.
	Delivered string `json:"delivered"`
	More      bool   `json:"more"`
}

// fetch answers GET /api/v1/deliveries/{recipient}?after=&limit=: the items
// after the cursor (default: after the acknowledged cursor), in order. Each
// absence whose items it hands out gets a read entry in the ledger
// (reads/<absence>), as opening one item does.
func (f *Function) fetch(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt, "tenant")
		return
	}
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			runtime.WriteError(w, fail(runtime.KindInvalid, "limit", "limit skal være mellem 1 og 1000.", "limit must be between 1 and 1000."))
			return
		}
		limit = n
	}
	ctx := r.Context()
	var last, delivered int64
	err := f.svc.DB.QueryRow(ctx, `SELECT last_seq, delivered_seq FROM recipients WHERE recipient = $1`, rcpt).Scan(&last, &delivered)
	if err != nil && !isNoRows(err) {
		runtime.WriteError(w, fmt.Errorf("read stream %s: %w", rcpt, err))
		return
	}
	after := delivered
	if s := r.URL.Query().Get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			runtime.WriteError(w, fail(runtime.KindInvalid, "cursor", "Markøren er ugyldig.", "The cursor is not valid."))
			return
		}
		after = n
	}
	page := Page{Recipient: rcpt, Items: []events.DeliveryItemData{}, Cursor: strconv.FormatInt(after, 10), Delivered: strconv.FormatInt(delivered, 10)}
	// The items are personal data: the read of each absence's items is in
	// the ledger (reads/<absence>) in the same transaction, so nothing is
	// handed out that was not recorded.
	err = f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+itemColumns+` FROM items WHERE recipient = $1 AND seq > $2 ORDER BY seq LIMIT $3`, rcpt, after, limit+1)
		if err != nil {
			return fmt.Errorf("read items of %s: %w", rcpt, err)
		}
		var read []string
		byCase := map[string][]string{}
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan item: %w", err)
			}
			if len(page.Items) == limit {
				page.More = true
				break
			}
			page.Items = append(page.Items, it.DeliveryItemData)
			page.Cursor = strconv.FormatInt(it.Seq, 10)
			if _, seen := byCase[it.CaseRef]; !seen {
				read = append(read, it.CaseRef)
			}
			byCase[it.CaseRef] = append(byCase[it.CaseRef], it.ItemID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read items of %s: %w", rcpt, err)
		}
		return recordStreamReads(ctx, tx, p, r, rcpt, read, byCase)
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, page)
}

// recordStreamReads appends one read entry per absence whose items a fetch
// handed out (in the order first seen), naming the recipient and the items.
func recordStreamReads(ctx context.Context, tx *runtime.Tx, p auth.Principal, r *http.Request, rcpt string, cases []string, items map[string][]string) error {
	for _, c := range cases {
		e := auth.ReadEntry(p, r, c)
		e.Reason, _ = json.Marshal(map[string]any{"method": r.Method, "path": r.URL.Path, "resource": c, "recipient": rcpt, "items": items[c]})
		if _, err := tx.Record(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// AckRequest is the body of an acknowledgement.
type AckRequest struct {
	Cursor string `json:"cursor"`
}

// AckResult says what an acknowledgement delivered.
type AckResult struct {
	Delivered      string `json:"delivered"`
	NewlyDelivered int    `json:"newlyDelivered"`
}

// ack answers POST /api/v1/deliveries/{recipient}/ack: every item up to the
// cursor is delivered; each newly delivered item gets a ledger entry in its
// absence's stream and a delivered event. Acknowledging again is harmless.
func (f *Function) ack(w http.ResponseWriter, r *http.Request) {
	p, rcpt := principal(r), r.PathValue("recipient")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt, "tenant")
		return
	}
	var in AckRequest
	if err := runtime.ReadJSON(w, r, &in); err != nil {
		runtime.WriteError(w, err)
		return
	}
	cursor, err := strconv.ParseInt(in.Cursor, 10, 64)
	if err != nil || cursor < 0 {
		runtime.WriteError(w, fail(runtime.KindInvalid, "cursor", "Markøren er ugyldig.", "The cursor is not valid."))
		return
	}
	var res AckResult
	err = f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		n, delivered, err := f.deliver(r.Context(), tx, rcpt, cursor, "fetch", p)
		res = AckResult{Delivered: strconv.FormatInt(delivered, 10), NewlyDelivered: n}
		return err
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, res)
}

// deliver moves rcpt's delivered cursor up to upTo and records each newly
// delivered item (ledger entry in the item's absence stream, delivered
// event). It returns how many items were newly delivered and the cursor.
func (f *Function) deliver(ctx context.Context, tx *runtime.Tx, rcpt string, upTo int64, channel string, by auth.Principal) (int, int64, error) {
	var last, delivered int64
	err := tx.QueryRow(ctx, `SELECT last_seq, delivered_seq FROM recipients WHERE recipient = $1 FOR UPDATE`, rcpt).Scan(&last, &delivered)
	if isNoRows(err) {
		last, delivered, err = 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("lock stream %s: %w", rcpt, err)
	}
	if upTo > last {
		return 0, delivered, fail(runtime.KindConflict, "cursor-ahead", "Markøren er længere end strømmen.", "The cursor is beyond the end of the stream.")
	}
	if upTo <= delivered {
		return 0, delivered, nil
	}
	rows, err := tx.Query(ctx, `SELECT `+itemColumns+` FROM items WHERE recipient = $1 AND seq > $2 AND seq <= $3 ORDER BY seq`, rcpt, delivered, upTo)
	if err != nil {
		return 0, 0, fmt.Errorf("read delivered items: %w", err)
	}
	var its []item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("scan item: %w", err)
		}
		its = append(its, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("read delivered items: %w", err)
	}
	now := time.Now().UTC()
	if _, err := tx.Exec(ctx, `UPDATE recipients SET delivered_seq = $2, delivered_at = $3 WHERE recipient = $1`, rcpt, upTo, now); err != nil {
		return 0, 0, fmt.Errorf("move cursor: %w", err)
	}
	actor, role := "function:delivery", "system"
	if by.Subject != "" {
		actor, role = by.Subject, string(by.Role)
	}
	for _, it := range its {
		d := events.DeliveryDelivery{ItemID: it.ItemID, Recipient: rcpt, CaseRef: it.CaseRef, Kind: it.Kind, Seq: it.Seq, Channel: channel, DeliveredAt: now.Format(time.RFC3339Nano)}
		ev, err := tx.Emit(ctx, events.DeliveryDelivered, it.CaseRef, d)
		if err != nil {
			return 0, 0, err
		}
		reason, _ := json.Marshal(map[string]any{"recipient": rcpt, "seq": it.Seq, "itemId": it.ItemID, "channel": channel})
		if _, err := tx.Record(ctx, ledger.Entry{
			Stream: it.CaseRef, Actor: actor, Role: role, EventType: events.DeliveryDelivered, EventSource: ev.Source(), EventID: ev.ID(),
			Correlation: events.CorrelationID(ev), Reason: reason, Payload: ev.Data(), RecordedAt: now,
		}); err != nil {
			return 0, 0, err
		}
	}
	return len(its), upTo, nil
}

// openItem answers GET /api/v1/deliveries/{recipient}/items/{id}: one item
// (with the person and the sender's company name, itemView), and a ledger
// entry that the caller opened it, naming the item (the inbox reads it as
// the item's read state).
func (f *Function) openItem(w http.ResponseWriter, r *http.Request) {
	p, rcpt, id := principal(r), r.PathValue("recipient"), r.PathValue("id")
	if !authorize(p, actStream, rcpt) {
		auth.Deny(w, r, f.svc.DB, p, "deliveries/"+rcpt, "tenant")
		return
	}
	var it item
	err := f.svc.Do(withoutCancel(r), nil, func(tx *runtime.Tx) error {
		var err error
		it, err = scanItem(tx.QueryRow(r.Context(), `SELECT `+itemColumns+` FROM items WHERE recipient = $1 AND item_id = $2`, rcpt, id))
		if isNoRows(err) {
			return auth.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read item: %w", err)
		}
		e := auth.ReadEntry(p, r, it.CaseRef)
		e.Reason, _ = json.Marshal(map[string]string{"method": r.Method, "path": r.URL.Path, "resource": it.CaseRef, "itemId": it.ItemID})
		_, err = tx.Record(r.Context(), e)
		return err
	})
	if err != nil {
		runtime.WriteError(w, err)
		return
	}
	runtime.WriteJSON(w, http.StatusOK, f.viewOf(r.Context(), it))
}
