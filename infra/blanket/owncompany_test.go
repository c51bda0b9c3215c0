package blanket

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/synth"
	"nemrefusion.dk/infra/runtime"
)

// companies is a CVR stand-in: the companies it knows, or err for every
// lookup when it is down.
type companies struct {
	known map[ids.CVR]registers.Company
	err   error
}

func (c companies) Company(_ context.Context, cvr ids.CVR) (registers.Company, error) {
	if c.err != nil {
		return registers.Company{}, c.err
	}
	co, ok := c.known[cvr]
	if !ok {
		return registers.Company{}, fmt.Errorf("cvr %s: %w", cvr, registers.ErrNotFound)
	}
	return co, nil
}

func (c companies) PUnit(context.Context, ids.PNumber) (registers.PUnit, error) {
	return registers.PUnit{}, errors.New("not used")
}

func persona(t *testing.T, key string) synth.Persona {
	t.Helper()
	p, ok := synth.PersonaByKey(key)
	if !ok {
		t.Fatalf("no persona %s", key)
	}
	return p
}

func fieldCodes(t *testing.T, err error) []string {
	t.Helper()
	var fe events.FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("%v (kind %v), want field errors", err, runtime.KindOf(err))
	}
	var codes []string
	for _, f := range fe {
		codes = append(codes, f.Field+":"+f.Code)
		if f.Da == "" || f.En == "" {
			t.Errorf("field error %+v without its Danish or English text", f)
		}
	}
	return codes
}

func TestOwnCompanyOwnedNotOwnedAndRegisterOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	self := persona(t, synth.PersonaSelfEmployed)
	other := persona(t, synth.PersonaEmployee)
	regs := companies{known: map[ids.CVR]registers.Company{
		self.CVR:  {CVR: self.CVR, Form: "Enkeltmandsvirksomhed", Owner: self.CPR},
		other.CVR: {CVR: other.CVR, Form: "ApS"},
	}}

	if err := OwnCompany(ctx, regs, self.CVR.String(), self.CPR.String()); err != nil {
		t.Errorf("the owner of their own company: %v", err)
	}
	if err := OwnCompany(ctx, regs, self.CVR.String(), NormCPR(self.CPR.String())); err != nil {
		t.Errorf("the owner, CPR through NormCPR: %v", err)
	}
	if err := OwnCompany(ctx, regs, "not a cvr", self.CPR.String()); err != nil {
		t.Errorf("no CVR number at all is left to the domain checks: %v", err)
	}

	// A definite "not your company" is a rejection with the field.
	for name, tc := range map[string]struct {
		cvr, cpr, want string
	}{
		"another owner":     {self.CVR.String(), other.CPR.String(), "cpr:cpr.not_owner"},
		"no personal owner": {other.CVR.String(), other.CPR.String(), "cpr:cpr.not_owner"},
		"no such company":   {ids.MustCVR("12345674").String(), self.CPR.String(), "cvr:cvr.unknown"},
	} {
		err := OwnCompany(ctx, regs, tc.cvr, tc.cpr)
		if runtime.KindOf(err) != runtime.KindInvalid {
			t.Errorf("%s: kind %v, want invalid (a rejection)", name, runtime.KindOf(err))
			continue
		}
		if codes := fieldCodes(t, err); len(codes) != 1 || codes[0] != tc.want {
			t.Errorf("%s: %v, want %s", name, codes, tc.want)
		}
	}

	// CVR cannot be reached: transient (retried by the broker), never a
	// rejection.
	for name, cause := range map[string]error{
		"register unavailable": fmt.Errorf("cvr: %w", registers.ErrUnavailable),
		"deadline":             context.DeadlineExceeded,
	} {
		err := OwnCompany(ctx, companies{err: cause}, self.CVR.String(), self.CPR.String())
		var fe events.FieldErrors
		if errors.As(err, &fe) {
			t.Errorf("%s: field errors %v, want no rejection", name, fe)
		}
		if k := runtime.KindOf(err); k != runtime.KindUnavailable || !errors.Is(err, cause) {
			t.Errorf("%s: %v (kind %v), want unavailable wrapping the cause", name, err, k)
		}
	}
}
