package waiting

import (
	"net/http"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// One authorisation decision per route, each taking the principal. A record
// of another tenant answers 404, never revealing that it exists.

var (
	errForbidden = runtime.Fail(runtime.KindForbidden, "forbidden", "Du har ikke adgang.", "You do not have access.", nil)
	errNotFound  = runtime.Fail(runtime.KindNotFound, "not-found", "Blanketten findes ikke.", "The form does not exist.", nil)
	errNoLogin   = runtime.Fail(runtime.KindUnauthorized, "unauthenticated", "Du skal logge ind.", "You must log in.", nil)
)

// principal returns the caller Authn put in the request.
func principal(r *http.Request) (auth.Principal, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return auth.Principal{}, errNoLogin
	}
	return p, nil
}

// senderCVR is the company a sender acts for, or an error for principals
// that are not senders.
func senderCVR(p auth.Principal) (ids.CVR, error) {
	if !p.Is(auth.RoleEmployer, auth.RoleSelfEmployed, auth.RoleAKasse, auth.RolePayrollSystem) {
		return ids.CVR{}, errForbidden
	}
	t := p.Tenant()
	cvr, err := ids.ParseCVR(t[len("cvr:"):])
	if err != nil || !p.CanActForCVR(cvr) {
		return ids.CVR{}, errForbidden
	}
	return cvr, nil
}

// authorizeCreate: a sender prepares blankets for the company it acts for.
func authorizeCreate(p auth.Principal) (ids.CVR, error) { return senderCVR(p) }

// authorizeList: a sender lists its own company's prepared blankets.
func authorizeList(p auth.Principal) (ids.CVR, error) { return senderCVR(p) }

// authorizeRead: a sender reads a prepared blanket of its company.
func authorizeRead(p auth.Principal, owner string) error {
	cvr, err := ids.ParseCVR(owner)
	if err != nil || !p.CanActForCVR(cvr) {
		return errNotFound
	}
	return nil
}

// authorizeSubmit: submitting sends the blanket to an authority; the same
// rule as reading (CanActForCVR includes the NemRefusion right).
func authorizeSubmit(p auth.Principal, owner string) error { return authorizeRead(p, owner) }

// authorizeUpdate: changing a held blanket, as reading.
func authorizeUpdate(p auth.Principal, owner string) error { return authorizeRead(p, owner) }

// authorizeDelete: as submitting.
func authorizeDelete(p auth.Principal, owner string) error { return authorizeRead(p, owner) }

// authorizeInbox: a sender reads and configures its own company's inbox.
func authorizeInbox(p auth.Principal) (ids.CVR, error) { return senderCVR(p) }
