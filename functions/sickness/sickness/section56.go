package sickness

import (
	"context"
	"errors"
	"fmt"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/functions/sickness/section56"
	"nemrefusion.dk/infra/blanket"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// approvals is the register of § 56 approvals: the handler's, or the
// stand-in (section56.StandIn) until the municipalities' are reachable.
func (h *Handler) approvals() section56.Register {
	if h.Section56 != nil {
		return *h.Section56
	}
	return section56.StandIn()
}

// section56Approval checks the § 56 agreement an employer's report names
// against the approvals of the person's municipality (the municipality the
// report goes to, rules.RecipientFor): an unknown, another person's or an
// expired reference is a field error on section56.reference, and the
// report is rejected. It returns the reason the agreement is accepted by,
// or nil when the report names none. A person CPR does not know is left to
// the pipeline, which rejects the report; a register that is down fails
// the delivery, which the broker retries.
func (h *Handler) section56Approval(ctx context.Context, env *blanket.Env, r events.SicknessEmployerReport, first kernel.Date) (*kernel.Reason, error) {
	if r.Section56 == nil {
		return nil, nil
	}
	m, ok, err := municipalityOf(ctx, env, r.CPR, r.PNumber)
	if err != nil || !ok {
		return nil, err
	}
	_, reason, err := h.approvals().Check(section56.Query{Reference: r.Section56.Reference, CPR: r.CPR, CVR: r.CVR, First: first, Municipality: m})
	if err != nil {
		return nil, err
	}
	return &reason, nil
}

// municipalityOf is the municipality a report about cpr goes to on the day
// it is received: the residence in CPR, or the workplace's when the person
// lives abroad (rules.RecipientFor, as the pipeline routes it). ok is false
// when the registers cannot tell (an unknown person or P-number), which
// the pipeline then rejects.
func municipalityOf(ctx context.Context, env *blanket.Env, cpr, pNumber string) (ids.Municipality, bool, error) {
	c, err := ids.ParseCPR(cpr)
	if err != nil {
		return ids.Municipality{}, false, nil
	}
	person, err := env.Registers.Person(ctx, c)
	switch {
	case errors.Is(err, registers.ErrNotFound):
		return ids.Municipality{}, false, nil
	case err != nil:
		return ids.Municipality{}, false, registerDown("cpr", err)
	}
	// The calendar day of receipt, as a time on that day.
	at := kernel.DateOf(env.ReceivedAt).Time()
	var unit *registers.PUnit
	if res, known := person.ResidenceAt(at); known && res.Abroad() {
		if p, err := ids.ParsePNumber(pNumber); err == nil {
			u, err := env.Registers.PUnit(ctx, p)
			switch {
			case errors.Is(err, registers.ErrNotFound):
			case err != nil:
				return ids.Municipality{}, false, registerDown("cvr", err)
			default:
				unit = &u
			}
		}
	}
	d, err := rules.RecipientFor(person, unit, rules.ToMunicipality, at)
	if err != nil {
		return ids.Municipality{}, false, nil
	}
	m, ok := d.Recipient.Municipality()
	return m, ok, nil
}

// registerDown fails the delivery while a register cannot be reached.
func registerDown(register string, err error) error {
	return runtime.Fail(runtime.KindUnavailable, "register-unavailable", "Et register kan ikke nås lige nu.",
		"A register cannot be reached right now.", fmt.Errorf("%s: %w", register, err))
}
