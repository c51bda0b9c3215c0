package lookup

import (
	"context"
	"errors"
	"strings"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// relation is the fact a principal's lookup of a person rests on.
type relation int

const (
	// relSelf: the person themself (citizen, self-employed) or their proxy.
	relSelf relation = iota + 1
	// relSender: a sender (employer, its payroll system, a-kasse, the
	// self-employed for their company) that employs the person per
	// eIndkomst, or an a-kasse the person is a member of.
	relSender
	// relResident: a caseworker or case system of a municipality the person
	// lives in or lived in recently (the case-handling municipality).
	relResident
	// relUDK: Udbetaling Danmark, the case handler for parental leave
	// (barselsloven) for everyone in Denmark.
	relUDK
)

// policy is what a principal may learn about a person, and on what.
type policy struct {
	rel relation
	// nameOnly limits the answer to the CPR number and the name, to confirm
	// the number (senders; data minimisation, GDPR art. 5(1)(c)).
	nameOnly bool
	// cvr is the sender's company (relSender).
	cvr ids.CVR
}

// personPolicy decides who may look up a person (kind person or income),
// the one place for it. ok is false when the principal's role may never
// look up persons of that kind (403, the same whatever the CPR number):
//   - the person themself and their proxy: everything about the person;
//     another person: the uniform "not found or not yours" answer;
//   - senders: the name, for persons they employ (eIndkomst income in the
//     last 13 months) or, for an a-kasse, its members; never income;
//   - caseworkers and case systems: everything, for the residents of their
//     municipality (now or during the last 13 months);
//   - UDK caseworkers: everything (the nationwide case handler for
//     parental leave);
//   - administrators and everyone else: nothing.
func personPolicy(p auth.Principal, q query) (policy, bool) {
	if p.CanSeeCPR(q.cpr) {
		return policy{rel: relSelf}, true
	}
	switch p.Role {
	case auth.RoleCitizen, auth.RoleProxy:
		return policy{rel: relSelf}, true // not theirs: denied by relate
	case auth.RoleEmployer, auth.RolePayrollSystem, auth.RoleAKasse, auth.RoleSelfEmployed:
		if q.kind != events.LookupPerson {
			return policy{}, false // a sender needs no income from other employers
		}
		cvr, err := ids.ParseCVR(strings.TrimPrefix(p.Tenant(), "cvr:"))
		if err != nil || !p.CanActForCVR(cvr) {
			return policy{}, false // e.g. an employee without the NemRefusion right
		}
		return policy{rel: relSender, nameOnly: true, cvr: cvr}, true
	case auth.RoleCaseworker, auth.RoleCaseSystem:
		return policy{rel: relResident}, !p.Municipality.IsZero()
	case auth.RoleUDKCaseworker:
		return policy{rel: relUDK}, true
	}
	return policy{}, false
}

// errNotYours is the one answer for a person that does not exist and a
// person the principal has no relation to: same status, same body, and
// (see Service.UniformDelay) about the same time, so a lookup tells nobody
// whether a CPR number exists.
func errNotYours() error {
	return runtime.Fail(runtime.KindNotFound, "lookup.not-found",
		"Personen kan ikke vises: CPR-nummeret findes ikke, eller du har ikke adgang til personen.",
		"The person cannot be shown: the CPR number does not exist, or you have no access to the person.", nil)
}

// relate checks the policy's relation to the person q names. It returns
// the person when it had to read them (relResident), related false for no
// relation, and errors matching registers.ErrNotFound (no such person) or
// registers.ErrUnavailable.
func (s *Service) relate(ctx context.Context, p auth.Principal, pol policy, q query) (person *registers.Person, related bool, err error) {
	now := s.Now()
	switch pol.rel {
	case relSelf:
		return nil, p.CanSeeCPR(q.cpr), nil
	case relUDK:
		return nil, true, nil
	case relResident:
		per, err := s.cache.Person(ctx, q.cpr)
		if err != nil {
			return nil, false, err
		}
		return &per, rules.ResidentIn(per, p.Municipality, now), nil
	case relSender:
		from, to := rules.RelationPeriod(now)
		months, err := s.cache.Income(ctx, q.cpr, from, to)
		if err != nil {
			return nil, false, err
		}
		if rules.Employs(pol.cvr, months) {
			return nil, true, nil
		}
		if p.Role != auth.RoleAKasse {
			return nil, false, nil
		}
		m, err := s.cache.Membership(ctx, q.cpr)
		switch {
		case errors.Is(err, registers.ErrNotFound):
			return nil, false, nil // a person who is nobody's member: not theirs
		case err != nil:
			return nil, false, err
		}
		return nil, rules.MemberOf(pol.cvr, m), nil
	}
	return nil, false, nil
}

// Confirmation is the answer of a sender's person lookup: the name that
// goes with the CPR number, nothing else.
type Confirmation struct {
	CPR  string `json:"cpr"`
	Name string `json:"name"`
}

// waitUniform sleeps until UniformDelay has passed since start (or ctx
// ends), so "not found" and "not yours" take about the same time whether
// the register, the cache or no register at all answered.
func (s *Service) waitUniform(ctx context.Context, start time.Time) {
	d := s.UniformDelay - time.Since(start)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
