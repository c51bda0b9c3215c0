package load

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"nemrefusion.dk/events"
)

// Pipeline is what happened to a run's accepted submissions after intake,
// read from the functions' own tables (blanket_submissions and outbox in
// the schemas of sickness, maternity and subsidy; delivery.items): the
// observable state, no test hooks.
type Pipeline struct {
	// Accepted is how many blankets intake accepted; Processed how many
	// their function (sickness, maternity or subsidy) decided or rejected;
	// Missing the rest.
	Accepted, Processed, Missing int
	Decided, Rejected            int
	// Rejections counts the rejections' field error codes.
	Rejections map[string]int
	// Delivered counts decided submissions whose item reached the
	// recipient's delivery stream; Lag is, for each, the time from the
	// first post to the item's creation.
	Delivered int
	Lag       []time.Duration
	// LastDelivery is when the last item of the run was created; Drained
	// is how long after the sending ended that was.
	LastDelivery time.Time
	Drained      time.Duration
	// Kinds are the same figures per kind of blanket.
	Kinds map[Kind]*KindFigures
}

// KindFigures is what happened to one kind's accepted blankets.
type KindFigures struct {
	Accepted, Processed, Decided, Rejected, Delivered int
}

// functions are the functions that decide blankets, each with the kinds
// of its delivery items (a case's items of another family are not its).
var functions = []struct{ schema, items string }{
	{"sickness", "sickness.%"}, {"maternity", "parental.%"}, {"subsidy", "subsidy.%"},
}

// Follow waits until every accepted submission of res was processed and
// the deliveries stopped coming (nothing new for settle), or within passed,
// and returns what it found. db is the stack's database.
func Follow(ctx context.Context, db *pgxpool.Pool, res *Result, within, settle time.Duration) (*Pipeline, error) {
	byEvent := make(map[string]*Accepted, len(res.Accepted))
	ids := map[string][]string{} // per function
	for i := range res.Accepted {
		a := &res.Accepted[i]
		if a.EventID == "" || a.Kind.Function() == "" {
			continue // a citizen's answer: not a blanket
		}
		byEvent[a.EventID] = a
		ids[a.Kind.Function()] = append(ids[a.Kind.Function()], a.EventID)
	}
	deadline := time.Now().Add(within)
	type processed struct {
		outcome, caseID string
		at              time.Time
	}
	// caseKey is a case of one function.
	type caseKey struct{ fn, id string }
	seen := map[string]processed{}
	items := map[caseKey][]time.Time{}
	var p *Pipeline
	lastChange, lastDelivered := time.Now(), -1
	for {
		// Submissions decided or rejected so far.
		for _, fn := range functions {
			var todo []string
			for _, id := range ids[fn.schema] {
				if _, ok := seen[id]; !ok {
					todo = append(todo, id)
				}
			}
			for len(todo) > 0 {
				chunk := todo[:min(len(todo), 5000)]
				todo = todo[len(chunk):]
				rows, err := db.Query(ctx, `SELECT event_id, outcome, coalesce(case_id::text, ''), decided_at FROM `+fn.schema+`.blanket_submissions WHERE event_id = ANY($1)`, chunk)
				if err != nil {
					return nil, fmt.Errorf("load: processed submissions (%s): %w", fn.schema, err)
				}
				for rows.Next() {
					var id string
					var pr processed
					if err := rows.Scan(&id, &pr.outcome, &pr.caseID, &pr.at); err != nil {
						rows.Close()
						return nil, err
					}
					seen[id] = pr
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return nil, fmt.Errorf("load: processed submissions (%s): %w", fn.schema, err)
				}
			}
		}
		// Items in the recipients' streams, by case.
		cases := map[caseKey][]*Accepted{}
		p = &Pipeline{Accepted: len(byEvent), Processed: len(seen), Rejections: map[string]int{}, Kinds: map[Kind]*KindFigures{}}
		kind := func(k Kind) *KindFigures {
			if p.Kinds[k] == nil {
				p.Kinds[k] = &KindFigures{}
			}
			return p.Kinds[k]
		}
		for _, a := range byEvent {
			kind(a.Kind).Accepted++
		}
		for id, pr := range seen {
			a := byEvent[id]
			k := kind(a.Kind)
			k.Processed++
			if pr.outcome == "decided" {
				p.Decided++
				k.Decided++
				if pr.caseID != "" {
					c := caseKey{a.Kind.Function(), pr.caseID}
					cases[c] = append(cases[c], a)
				}
			} else {
				p.Rejected++
				k.Rejected++
			}
		}
		p.Missing = p.Accepted - p.Processed
		for _, fn := range functions {
			var keys []string
			for c, subs := range cases {
				if c.fn == fn.schema && len(items[c]) < len(subs) {
					keys = append(keys, c.id)
					delete(items, c)
				}
			}
			for len(keys) > 0 {
				chunk := keys[:min(len(keys), 5000)]
				keys = keys[len(chunk):]
				rows, err := db.Query(ctx, `SELECT case_ref, created_at FROM delivery.items WHERE case_ref = ANY($1) AND kind LIKE $2 ORDER BY created_at`, chunk, fn.items)
				if err != nil {
					return nil, fmt.Errorf("load: delivery items: %w", err)
				}
				for rows.Next() {
					var c string
					var at time.Time
					if err := rows.Scan(&c, &at); err != nil {
						rows.Close()
						return nil, err
					}
					k := caseKey{fn.schema, c}
					items[k] = append(items[k], at)
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return nil, fmt.Errorf("load: delivery items: %w", err)
				}
			}
		}
		// Each case's items go to its submissions in order.
		for c, subs := range cases {
			sort.Slice(subs, func(i, j int) bool { return subs[i].SentAt.Before(subs[j].SentAt) })
			its := items[c]
			for i, a := range subs {
				if i >= len(its) {
					break
				}
				p.Delivered++
				kind(a.Kind).Delivered++
				p.Lag = append(p.Lag, its[i].Sub(a.SentAt))
				if its[i].After(p.LastDelivery) {
					p.LastDelivery = its[i]
				}
			}
		}
		if !p.LastDelivery.IsZero() {
			p.Drained = p.LastDelivery.Sub(res.Ended)
		}
		if p.Delivered != lastDelivered {
			lastDelivered, lastChange = p.Delivered, time.Now()
		}
		done := p.Missing == 0 && (p.Delivered == p.Decided || time.Since(lastChange) >= settle)
		if done || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err := p.rejections(ctx, db, res); err != nil {
		return p, err
	}
	return p, nil
}

// rejections counts the field error codes of the run's rejected
// submissions, from the blanket.rejected events in the functions' outboxes.
func (p *Pipeline) rejections(ctx context.Context, db *pgxpool.Pool, res *Result) error {
	if p.Rejected == 0 {
		return nil
	}
	receipts := map[string][]string{}
	for _, a := range res.Accepted {
		if fn := a.Kind.Function(); fn != "" {
			receipts[fn] = append(receipts[fn], a.Receipt)
		}
	}
	for _, fn := range functions {
		if len(receipts[fn.schema]) == 0 {
			continue
		}
		if err := p.rejectionsIn(ctx, db, fn.schema, receipts[fn.schema]); err != nil {
			return err
		}
	}
	return nil
}

func (p *Pipeline) rejectionsIn(ctx context.Context, db *pgxpool.Pool, schema string, receipts []string) error {
	rows, err := db.Query(ctx, `SELECT event->'data' FROM `+schema+`.outbox WHERE event_type = $1 AND event->'data'->>'receipt' = ANY($2)`,
		events.BlanketRejected, receipts)
	if err != nil {
		return fmt.Errorf("load: rejections (%s): %w", schema, err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		var r events.BlanketRejection
		if json.Unmarshal(b, &r) != nil {
			continue
		}
		for _, e := range r.Errors {
			p.Rejections[e.Field+":"+e.Code]++
		}
	}
	return rows.Err()
}
