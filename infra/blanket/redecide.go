package blanket

import (
	"context"
	"encoding/json"
	"fmt"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/runtime"
)

// CasesWithState returns the cases of family whose state document has the
// top-level field key (e.g. the amounts waiting for a rate), locked for
// update, oldest first. It is for work that starts from something other
// than a submission (Redecide).
func (p *Pipeline) CasesWithState(ctx context.Context, tx *runtime.Tx, family, key string) ([]Case, error) {
	rows, err := tx.Query(ctx, `SELECT `+caseColumns+` FROM blanket_cases
		WHERE family = $1 AND state ? $2 ORDER BY created_at, id FOR UPDATE`, family, key)
	if err != nil {
		return nil, fmt.Errorf("cases with %s: %w", key, err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("cases with %s: %w", key, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Redecide applies a decision the family made again without a new
// submission, e.g. an amount computed once the rate it waited for became
// known: out.Case (an existing case, as CasesWithState returned it, with
// the new state and a new version) is stored, the decision is recorded in
// the case's stream with why, and the decision's result is fed back the way
// a decided submission's is: the delivery to the recipient (a new version
// of the item, with the submission it answers), the family's own events
// (out.Events) and, when blanket typ gives feedback, blanket.decided with
// the original receipt. No receipt or notification letter, task or
// reminder is sent again. typ is the blanket last decided for the case
// (its submission is read from the case's stream). It runs in tx, whose
// cause (may be nil) is what caused it.
func (p *Pipeline) Redecide(ctx context.Context, tx *runtime.Tx, typ string, out Outcome, why string) error {
	def, ok := p.defs[typ]
	if !ok {
		return fmt.Errorf("redecide: %q is not a blanket of this pipeline", typ)
	}
	c := out.Case
	if c.State == nil {
		b, err := json.Marshal(out.State)
		if err != nil {
			return fmt.Errorf("case state: %w", err)
		}
		c.State = b
	}
	sub, err := lastSubmission(ctx, tx, c.ID, typ)
	if err != nil {
		return err
	}
	if err := p.store.save(ctx, tx, c, false); err != nil {
		return err
	}
	resultJSON, err := json.Marshal(out.Result)
	if err != nil {
		return fmt.Errorf("result: %w", err)
	}
	reason, err := json.Marshal(map[string]any{
		"blanket": typ, "receipt": sub.Receipt, "sender": sub.Sender, "status": c.Status, "version": c.Version,
		"recipient": c.Recipient, "reasons": out.Reasons, "result": json.RawMessage(resultJSON), "redecided": why,
	})
	if err != nil {
		return fmt.Errorf("decision reason: %w", err)
	}
	entry := ledger.Entry{Stream: c.ID, EventType: LedgerDecided, Reason: reason, Payload: resultJSON}
	if cause := tx.Cause(); cause != nil {
		entry.EventSource, entry.EventID = cause.Source(), cause.ID()
	}
	if _, err := tx.Record(ctx, entry); err != nil {
		return err
	}
	ev := cloudevents.NewEvent()
	ev.SetType(typ)
	ev.SetSource(sub.Source)
	ev.SetID(sub.ID)
	if err := ev.SetData(cloudevents.ApplicationJSON, json.RawMessage(sub.Data)); err != nil {
		return fmt.Errorf("redecide: submission: %w", err)
	}
	env := &Env{Tx: tx, Event: ev, Receipt: sub.Receipt, Sender: sub.Sender, Registers: p.regs, store: p.store, def: def}
	if err := p.deliver(ctx, env, def, c, out); err != nil {
		return err
	}
	return p.feedback(ctx, env, def, c, out)
}

// submission is a decided submission as the case's stream records it.
type submission struct {
	Source, ID      string
	Receipt, Sender string
	Data            []byte
}

// lastSubmission finds the last submission of blanket typ decided for case
// id in its ledger stream: the decision entry names its receipt and sender,
// the submission's own entry holds its data.
func lastSubmission(ctx context.Context, tx *runtime.Tx, id, typ string) (submission, error) {
	recs, err := ledger.Stream(ctx, tx, id, 0)
	if err != nil {
		return submission{}, err
	}
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.EventType != LedgerDecided {
			continue
		}
		var why struct {
			Blanket   string `json:"blanket"`
			Receipt   string `json:"receipt"`
			Sender    string `json:"sender"`
			Redecided string `json:"redecided"`
		}
		if json.Unmarshal(r.Reason, &why) != nil || why.Blanket != typ || why.Redecided != "" {
			continue
		}
		for _, s := range recs {
			if s.EventType == typ && s.EventID == r.EventID && s.EventSource == r.EventSource && len(s.Payload) > 0 {
				return submission{Source: r.EventSource, ID: r.EventID, Receipt: why.Receipt, Sender: why.Sender, Data: s.Payload}, nil
			}
		}
	}
	return submission{}, fmt.Errorf("redecide: case %s has no decided %s in its stream", id, typ)
}
