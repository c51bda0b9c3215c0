package blanket

import (
	"context"
	"errors"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// OwnCompany checks that a self-employed person (cpr, already normalised
// with NormCPR) reports or requests for their own company: cvr's owner in
// CVR (a sole proprietorship's owner). A Decide function calls it with
// env.Registers before it decides anything.
//
// It returns nil when cpr owns cvr, and also when cvr is not a CVR number
// at all (the schema and the domain checks reject that with their own
// field error). A definite answer that the company is not the person's is
// a rejection: events.FieldErrors with "cvr.unknown" (no such company) or
// "cpr.not_owner" (another owner, or a company with no personal owner).
// When CVR cannot be reached (any other error from regs) it returns a
// runtime error of kind runtime.KindUnavailable ("register-unavailable"),
// so the broker retries the event: a register outage never rejects a
// blanket.
func OwnCompany(ctx context.Context, regs registers.CompanyRegister, cvr, cpr string) error {
	c, err := ids.ParseCVR(cvr)
	if err != nil {
		return nil
	}
	co, err := regs.Company(ctx, c)
	switch {
	case errors.Is(err, registers.ErrNotFound):
		return events.FieldErrors{{Field: "cvr", Code: "cvr.unknown", Da: "Virksomheden findes ikke i CVR.", En: "The company does not exist in CVR."}}
	case err != nil:
		return runtime.Fail(runtime.KindUnavailable, "register-unavailable", "CVR kan ikke nås lige nu.", "CVR cannot be reached right now.", err)
	case co.Owner.IsZero() || co.Owner.String() != cpr:
		return events.FieldErrors{{Field: "cpr", Code: "cpr.not_owner", Da: "Personen ejer ikke virksomheden.", En: "The person does not own the company."}}
	}
	return nil
}

// NormCPR returns s as a CPR number in its canonical form, or s unchanged
// when it is not one (the schema and the domain checks reject that). Any
// Decide function may call it on the CPR number a blanket names.
func NormCPR(s string) string {
	if c, err := ids.ParseCPR(s); err == nil {
		return c.String()
	}
	return s
}
