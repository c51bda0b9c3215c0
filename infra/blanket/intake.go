package blanket

import (
	"slices"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/runtime"
)

// errUnstamped refuses a blanket event without the stamps of the accept
// step (infra/accept.Stamp): it did not come through a way in, so nobody
// checked who sent it. 400: never retried, kept by the dead-letter function.
var errUnstamped = runtime.Fail(runtime.KindInvalid, "unstamped",
	"Blanketten er ikke modtaget gennem indsendelsen (afsenderen mangler).",
	"The form did not come through submission (the sender is missing).", nil)

// CheckStamps refuses a submitted event that lacks the accept step's stamps
// of who sent it, or whose stamped role is not one of senders: the tenant,
// the actor and the actor's role must all be there (a permanent 400, so the
// broker dead-letters it). It never skips the check for a missing stamp.
func CheckStamps(ev cloudevents.Event, senders []string) error {
	if events.Str(ev, events.ExtTenant) == "" || events.Str(ev, events.ExtActor) == "" {
		return errUnstamped
	}
	if !slices.Contains(senders, events.Str(ev, events.ExtActorRole)) {
		return errUnstamped
	}
	return nil
}
