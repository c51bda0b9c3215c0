package blanket

import (
	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
)

// Allow is intake's submission policy of a blanket type: the principal's
// role is one of the blanket's senders (events.BlanketSenders), and a
// stream that exists already (a follow-up on an absence) belongs to the
// principal's tenant. Which CVR the data names is checked by
// CheckSubmission, which sees the data.
func Allow(eventType string) func(p auth.Principal, owner string) bool {
	senders := events.BlanketSenders(eventType)
	return func(p auth.Principal, owner string) bool {
		ok := false
		for _, s := range senders {
			if string(p.Role) == s {
				ok = true
			}
		}
		return ok && (owner == "" || owner == p.Tenant())
	}
}

// CheckSubmission is the in-process hook intake runs on a submission after
// its schema validation: for a blanket type it runs the pure domain checks
// (events.CheckDomain: identifiers, dates in order, hours that add up),
// whose field errors reach the sender as a 400 with every field at once,
// and checks that the principal may act for the CVR the data names
// (auth.ErrForbidden otherwise). It returns nil for other types. It does no
// I/O; checks that need a register (the P-number belongs to the CVR, the
// person exists) run in the blanket's function, which reports a refusal as
// events.BlanketRejected.
func CheckSubmission(p auth.Principal, eventType string, data []byte) error {
	if events.BlanketSenders(eventType) == nil {
		return nil
	}
	if err := events.CheckDomain(eventType, data); err != nil {
		return err
	}
	cvr, err := ids.ParseCVR(events.BlanketCVR(data))
	if err != nil || !p.CanActForCVR(cvr) {
		return auth.ErrForbidden
	}
	return nil
}
