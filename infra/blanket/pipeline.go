package blanket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"nemrefusion.dk/events"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// LedgerDecided and LedgerRejected are the ledger entry types the pipeline
// appends to a case's stream next to the submission: facts in the ledger,
// not events on the broker. Their Reason holds the reasons.
const (
	LedgerDecided  = "dk.nemrefusion.blanket.decision.recorded.v1"
	LedgerRejected = "dk.nemrefusion.blanket.rejection.recorded.v1"
)

// Pipeline runs blanket submissions through their Definitions.
type Pipeline struct {
	regs  Registers
	defs  map[string]Definition
	store store
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Authority names the authority letters are sent on behalf of; nil
	// means DefaultAuthority.
	Authority AuthorityFunc
}

// New returns a pipeline for defs (made with Define), reading registers
// through regs. It refuses a definition without Decide, one whose type has
// no schema, and two definitions of one type.
func New(regs Registers, defs ...Definition) (*Pipeline, error) {
	if regs == nil {
		return nil, errors.New("blanket: registers are required")
	}
	p := &Pipeline{regs: regs, defs: map[string]Definition{}}
	for _, d := range defs {
		if d.decide == nil {
			return nil, fmt.Errorf("blanket: definition %q was not made with Define", d.Type)
		}
		if _, dup := p.defs[d.Type]; dup {
			return nil, fmt.Errorf("blanket: two definitions of %q", d.Type)
		}
		if !events.Known(d.Type) {
			return nil, fmt.Errorf("blanket: %q has no schema", d.Type)
		}
		p.defs[d.Type] = d
	}
	return p, nil
}

// Register migrates the pipeline's tables into svc's schema and registers a
// handler for every definition's type.
func (p *Pipeline) Register(ctx context.Context, svc *runtime.Service) error {
	if err := svc.Migrate(ctx, "blanket", Migrations()); err != nil {
		return fmt.Errorf("blanket: %w", err)
	}
	for t, d := range p.defs {
		svc.On(t, p.handler(d))
	}
	return nil
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// copenhagen is the zone the calendar day of signing is read in.
var copenhagen = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Copenhagen"); err == nil {
		return l
	}
	return time.FixedZone("CET", 3600)
}()

func asRejection(err error) (events.FieldErrors, bool) {
	var fe events.FieldErrors
	if errors.As(err, &fe) {
		return fe, true
	}
	return nil, false
}

func (p *Pipeline) handler(def Definition) runtime.EventHandler {
	return func(ctx context.Context, tx *runtime.Tx, ev cloudevents.Event) error {
		data := ev.Data()
		at := ev.Time()
		if at.IsZero() {
			at = p.now()
		}
		env := &Env{Tx: tx, Event: ev, Receipt: events.Str(ev, events.ExtReceipt), Sender: "cvr:" + events.BlanketCVR(data),
			ReceivedAt: at, Registers: p.regs, store: p.store, def: def}
		if err := CheckStamps(ev, def.Senders); err != nil {
			return err
		}
		if events.Str(ev, events.ExtTenant) != env.Sender {
			// The accept step checked the sender's CVR already; this guards
			// a submission that reached the broker some other way.
			return p.rejected(ctx, env, def, "", events.FieldErrors{{Field: "cvr", Code: "cvr.not_sender",
				Da: "Afsenderen kan ikke indsende for dette CVR-nummer.", En: "The sender cannot submit for this CVR number."}})
		}
		if err := events.Validate(ev); err != nil {
			return runtime.InvalidData(err)
		}
		v, err := def.Decode(data)
		if err != nil {
			// Past the schema, only the domain checks refuse: the accept
			// step ran them too, so this is a submission that reached the
			// broker another way, or rules that changed since; it is
			// recorded and reported like any refusal.
			fe, _ := asRejection(err)
			return p.rejected(ctx, env, def, "", fe)
		}
		out, err := p.decide(ctx, env, def, v)
		if fe, ok := asRejection(err); ok {
			return p.rejected(ctx, env, def, out.Case.ID, fe)
		}
		if err != nil {
			return err
		}
		return p.apply(ctx, env, def, out)
	}
}

// decide runs the definition's rules on the decoded data and resolves the
// recipient.
func (p *Pipeline) decide(ctx context.Context, env *Env, def Definition, data any) (Outcome, error) {
	out, err := def.decide(ctx, env, data)
	if err != nil {
		return out, err
	}
	var fe events.FieldErrors
	var unit *registers.PUnit
	if !out.Workplace.IsZero() {
		u, err := p.regs.PUnit(ctx, out.Workplace)
		switch {
		case errors.Is(err, registers.ErrNotFound):
			fe.Add("pNumber", "pnumber.unknown", "P-nummeret findes ikke i CVR.", "The P-number does not exist in CVR.")
		case err != nil:
			return out, unavailable("cvr", err)
		case u.CVR != out.SenderCVR:
			fe.Add("pNumber", "pnumber.not_under_cvr", "P-nummeret hører ikke til CVR-nummeret.", "The P-number does not belong to the CVR number.")
		default:
			unit = &u
		}
	}
	var person registers.Person
	if !out.Person.IsZero() {
		person, err = p.regs.Person(ctx, out.Person)
		switch {
		case errors.Is(err, registers.ErrNotFound):
			fe.Add("cpr", "cpr.unknown", "Personen findes ikke i CPR.", "The person does not exist in CPR.")
		case err != nil:
			return out, unavailable("cpr", err)
		}
	}
	if len(fe) > 0 {
		return out, fe
	}
	if out.Case.Recipient == "" && !out.Person.IsZero() {
		d, err := rules.RecipientFor(person, unit, def.Recipient, env.ReceivedAt.In(copenhagen))
		switch {
		case errors.Is(err, rules.ErrNoWorkplace) || errors.Is(err, rules.ErrWorkplaceMunicipality):
			return out, events.FieldErrors{{Field: "pNumber", Code: "recipient.no_workplace",
				Da: "Personen bor i udlandet; angiv arbejdsstedets P-nummer.", En: "The person lives abroad; give the workplace's P-number."}}
		case err != nil:
			return out, fmt.Errorf("recipient: %w", err)
		}
		out.Case.Recipient = d.Recipient.String()
		out.Reasons = append([]events.Reason{{
			Rule: d.Rule, Law: d.Reference, Source: d.Source, TextDa: d.TextDa, TextEn: d.TextEn,
			Inputs: map[string]any{"at": d.At, "residence": d.Residence, "workplace": d.Workplace}, Result: d.Recipient.String(),
		}}, out.Reasons...)
	}
	env.person = person
	return out, nil
}

func unavailable(register string, err error) error {
	return runtime.Fail(runtime.KindUnavailable, "register-unavailable",
		"Et register kan ikke nås lige nu.", "A register cannot be reached right now.", fmt.Errorf("%s: %w", register, err))
}

// apply stores the case, records the decision and emits the effects.
func (p *Pipeline) apply(ctx context.Context, env *Env, def Definition, out Outcome) error {
	tx := env.Tx
	c := out.Case
	c.Family = def.Family
	if c.State == nil {
		b, err := json.Marshal(out.State)
		if err != nil {
			return fmt.Errorf("case state: %w", err)
		}
		c.State = b
	}
	if out.New && c.Tenant == "" {
		c.Tenant = env.Sender
	}
	if c.Person == "" && !out.Person.IsZero() {
		c.Person = out.Person.String()
	}
	if err := p.store.save(ctx, tx, c, out.New); err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			// Another submission opened the same case at the same time; a
			// retry finds it and decides against it.
			return runtime.Fail(runtime.KindUnavailable, "concurrent-case", "Prøv igen.", "Try again.", err)
		}
		return err
	}
	resultJSON, err := json.Marshal(out.Result)
	if err != nil {
		return fmt.Errorf("result: %w", err)
	}
	reason, err := json.Marshal(map[string]any{
		"blanket": def.Type, "receipt": env.Receipt, "sender": env.Sender, "status": c.Status, "version": c.Version,
		"recipient": c.Recipient, "reasons": out.Reasons, "result": json.RawMessage(resultJSON),
	})
	if err != nil {
		return fmt.Errorf("decision reason: %w", err)
	}
	if c.ID != events.PartitionKey(env.Event) {
		// The accept step recorded the submission in the stream it was
		// sent to; the case it joined has another id (an open case found
		// by its natural key), so the case's stream records it too.
		if _, err := tx.Record(ctx, ledger.Entry{Stream: c.ID, Payload: env.Event.Data()}); err != nil {
			return err
		}
	}
	if _, err := tx.Record(ctx, ledger.Entry{Stream: c.ID, EventType: LedgerDecided, EventSource: env.Event.Source(),
		EventID: env.Event.ID(), Reason: reason, Payload: resultJSON}); err != nil {
		return err
	}
	if err := p.store.submission(ctx, tx, env.Event.Source(), env.Event.ID(), def.Type, env.Receipt, c.ID, "decided"); err != nil {
		return err
	}
	return p.emit(ctx, env, def, c, out)
}

// rejected records and reports a refused submission; the delivery itself
// succeeds (the refusal is the outcome, not a failure to retry).
func (p *Pipeline) rejected(ctx context.Context, env *Env, def Definition, caseID string, fe events.FieldErrors) error {
	stream := caseID
	if stream == "" {
		stream = events.PartitionKey(env.Event)
	}
	reason, err := json.Marshal(map[string]any{"blanket": def.Type, "receipt": env.Receipt, "sender": env.Sender, "errors": fe})
	if err != nil {
		return fmt.Errorf("rejection reason: %w", err)
	}
	if _, err := env.Tx.Record(ctx, ledger.Entry{Stream: stream, EventType: LedgerRejected, EventSource: env.Event.Source(),
		EventID: env.Event.ID(), Reason: reason}); err != nil {
		return err
	}
	if err := p.store.submission(ctx, env.Tx, env.Event.Source(), env.Event.ID(), def.Type, env.Receipt, caseID, "rejected"); err != nil {
		return err
	}
	runtime.Logger(ctx).InfoContext(ctx, "submission rejected", "blanket", def.Type, "errors", fe.Error())
	cpr, first, last := events.BlanketSubject(env.Event.Data())
	if _, err := env.Tx.Emit(ctx, events.BlanketRejected, stream, events.BlanketRejection{
		CaseID: caseID, Blanket: def.Type, Sender: env.Sender, Receipt: env.Receipt, Errors: fe,
		CPR: cpr, FirstAbsenceDay: first, LastAbsenceDay: last}); err != nil {
		return err
	}
	da, en := reasonLines(fe)
	return p.letterTo(ctx, env, Case{ID: stream}, LetterReceipt, LetterTo{CVR: events.BlanketCVR(env.Event.Data())}, map[string]string{
		"blanket": def.Type, "submittedAt": env.ReceivedAt.UTC().Format(time.RFC3339), "outcome": "rejected",
		"reasonsDa": da, "reasonsEn": en})
}

// maxLetterValue is the longest template value letter.requested takes.
const maxLetterValue = 500

// reasonLines are a rejection's reasons for the receipt letter, one
// "field: text" line each in Danish and in English, as many whole lines as
// fit the letter's template value.
func reasonLines(fe events.FieldErrors) (da, en string) {
	join := func(text func(events.FieldError) string) string {
		var out string
		for _, e := range fe {
			line := text(e)
			if e.Field != "" {
				line = e.Field + ": " + line
			}
			if out != "" {
				line = "\n" + line
			}
			if len(out)+len(line) > maxLetterValue {
				break
			}
			out += line
		}
		return out
	}
	return join(func(e events.FieldError) string { return e.Da }), join(func(e events.FieldError) string { return e.En })
}
