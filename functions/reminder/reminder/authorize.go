package reminder

import (
	"errors"
	"net/http"
	"strings"

	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// AuthorizeOperator admits a request whose bearer token v verifies as an
// operator (auth.RoleAdmin); the admin routes (rebuild, status) use it.
func AuthorizeOperator(v *auth.Verifier, req *http.Request) error {
	raw, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return runtime.Fail(runtime.KindUnauthorized, "unauthenticated", "Du skal logge ind.", "You must log in.", nil)
	}
	p, err := v.Verify(req.Context(), raw)
	if errors.Is(err, auth.ErrIssuerUnavailable) {
		return runtime.Fail(runtime.KindUnavailable, "issuer-unavailable", "Login kan ikke kontrolleres lige nu. Prøv igen om lidt.",
			"Login cannot be checked right now. Please try again shortly.", err)
	}
	if err != nil {
		return runtime.Fail(runtime.KindUnauthorized, "invalid-token", "Dit login er ugyldigt eller udløbet. Log ind igen.",
			"Your login is invalid or has expired. Please log in again.", err)
	}
	return authorizeAdmin(p)
}

// authorizeAdmin is the rule of the admin routes: operators only.
func authorizeAdmin(p auth.Principal) error {
	if !p.Is(auth.RoleAdmin) {
		return runtime.Fail(runtime.KindForbidden, "forbidden", "Du har ikke adgang.", "You do not have access.", nil)
	}
	return nil
}
