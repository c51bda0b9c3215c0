package delivery

import (
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
)

// action is what a principal wants to do; authorize decides every one.
type action int

const (
	// actStream: fetch, acknowledge, open items of and manage the sink of
	// the stream of recipient tenant ("101" or "UDK").
	actStream action = iota
	// actSender: list the absences CVR tenant sent and see the feedback of
	// one of them.
	actSender
)

// authorize is the one place the delivery package decides who may do
// what: case systems and caseworkers only for their own municipality's
// stream, UDK caseworkers only for UDK's; senders only for their CVR's
// absences. Package admin decides its own routes.
func authorize(p auth.Principal, act action, tenant string) bool {
	switch act {
	case actStream:
		r, err := ids.ParseRecipient(tenant)
		return err == nil && p.CanSeeRecipient(r)
	case actSender:
		cvr, err := ids.ParseCVR(tenant)
		return err == nil && p.CanActForCVR(cvr)
	}
	return false
}
