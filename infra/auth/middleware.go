package auth

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"nemrefusion.dk/infra/runtime"
)

// Realm is the realm named in WWW-Authenticate.
const Realm = "nemrefusion"

// Require returns middleware for a public route: it verifies the bearer
// token with v, puts the Principal in the request context (FromContext) and
// calls next. Without roles any authenticated principal passes; with roles
// only those. It answers 401 with WWW-Authenticate for a missing or invalid
// token, 403 for a role not admitted (appended to v.Ledger when set) and
// 503 when the issuer cannot be reached.
func Require(v *Verifier, roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if v.Log != nil {
				r = r.WithContext(runtime.WithLogger(r.Context(), v.Log))
			}
			raw, ok := bearer(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q`, Realm))
				runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "unauthenticated",
					"Du skal logge ind.", "You must log in.", nil))
				return
			}
			p, err := v.Verify(r.Context(), raw)
			if errors.Is(err, ErrIssuerUnavailable) {
				runtime.Logger(r.Context()).WarnContext(r.Context(), "token issuer unavailable", "err", err.Error())
				runtime.WriteError(w, runtime.Fail(runtime.KindUnavailable, "issuer-unavailable",
					"Login kan ikke kontrolleres lige nu. Prøv igen om lidt.", "Login cannot be checked right now. Please try again shortly.", err))
				return
			}
			if err != nil {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q, error="invalid_token", error_description="the token is invalid or has expired"`, Realm))
				runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "invalid-token",
					"Dit login er ugyldigt eller udløbet. Log ind igen.", "Your login is invalid or has expired. Please log in again.", err))
				return
			}
			if len(roles) > 0 && !p.Is(roles...) {
				if v.Ledger != nil {
					if err := LogDenial(r.Context(), v.Ledger, p, r, r.URL.Path, "role"); err != nil {
						runtime.WriteError(w, err)
						return
					}
				}
				WriteForbidden(w)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
		})
	}
}

// RequireFreshLogin returns middleware for actions that must be signed: the
// principal (put there by Require, which must wrap it) must have logged in
// no more than maxAge ago. Otherwise it answers 401 with an RFC 9470
// step-up challenge (error="insufficient_user_authentication", max_age), so
// the app sends the user through login again.
func RequireFreshLogin(maxAge time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := FromContext(r.Context())
			if !ok {
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q`, Realm))
				runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "unauthenticated",
					"Du skal logge ind.", "You must log in.", nil))
				return
			}
			if !p.FreshLogin(maxAge, time.Now()) {
				WriteLoginTooOld(w, maxAge)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// WriteLoginTooOld answers 401 with the step-up challenge RequireFreshLogin
// uses; call it where a function decides per request that signing is needed.
func WriteLoginTooOld(w http.ResponseWriter, maxAge time.Duration) {
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm=%q, error="insufficient_user_authentication", error_description="a more recent login is required to sign", max_age=%s`,
		Realm, strconv.Itoa(int(maxAge/time.Second))))
	runtime.WriteError(w, runtime.Fail(runtime.KindUnauthorized, "login-too-old",
		fmt.Sprintf("Du skal logge ind igen for at underskrive (login må højst være %d minutter gammelt).", int(maxAge/time.Minute)),
		fmt.Sprintf("Please log in again to sign (a login may be at most %d minutes old).", int(maxAge/time.Minute)), nil))
}

// WriteForbidden answers 403 with the one body every refusal for lack of
// rights uses; it never says whether the resource exists.
func WriteForbidden(w http.ResponseWriter) { runtime.WriteError(w, ErrForbidden) }

// WriteNotFound answers 404 with the one body used for "not there or not
// yours", so a refusal cannot be told from a missing record.
func WriteNotFound(w http.ResponseWriter) { runtime.WriteError(w, ErrNotFound) }

// ErrForbidden is the refusal of an action the principal may not take.
var ErrForbidden = runtime.Fail(runtime.KindForbidden, "forbidden",
	"Du har ikke adgang til dette.", "You do not have access to this.", nil)

// ErrNotFound is the answer for a record that is not there or not yours.
var ErrNotFound = runtime.Fail(runtime.KindNotFound, "not-found",
	"Det findes ikke, eller du har ikke adgang til det.", "It does not exist, or you do not have access to it.", nil)

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
