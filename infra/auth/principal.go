package auth

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"nemrefusion.dk/events/ids"
)

// Principal is the verified caller of a public route. Build it with
// Claims.Principal (Require does); the zero value is nobody.
type Principal struct {
	// Subject is the stable id of the person or machine client (the
	// token's sub); the ledger's actor.
	Subject string
	Role    Role
	// CPR is the person's own number (citizens, proxies, self-employed).
	CPR ids.CPR
	// CVR is the company acted for (employer, a-kasse, own company of the
	// self-employed, payroll system's own company).
	CVR ids.CVR
	// Rights are the MitID Erhverv rights of an employee.
	Rights []string
	LoA    LoA
	// AuthTime is when the person logged in (for machine clients: when the
	// token was issued).
	AuthTime time.Time
	// Municipality is a caseworker's or case system's municipality.
	Municipality ids.Municipality
	// ClientID is the machine client (client credentials), or empty.
	ClientID string
	// Name is a display name; personal data, never logged.
	Name string

	onBehalfCPR ids.CPR // the citizen a proxy acts for
	onBehalfCVR ids.CVR // the company a payroll provider acts for
}

// OnBehalfOf is the party the principal acts for when that is not itself:
// the citizen's CPR for a proxy, the company's CVR for a payroll provider;
// empty otherwise. It goes to the ledger's on_behalf_of; never log it.
func (p Principal) OnBehalfOf() string {
	switch {
	case !p.onBehalfCPR.IsZero():
		return p.onBehalfCPR.String()
	case !p.onBehalfCVR.IsZero():
		return p.onBehalfCVR.String()
	}
	return ""
}

// Tenant is the party whose data the principal works with, as one string:
// "cvr:<cvr>" for employers, a-kasser, the self-employed and payroll systems
// (the company acted for), "cpr:<cpr>" for a citizen or a proxy (the citizen
// acted for), "municipality:<no>" for caseworkers and case systems, "udk"
// for Udbetaling Danmark and "operator" for administrators. It may hold a
// CPR number: store it, never log it. The zero Principal has tenant "".
func (p Principal) Tenant() string {
	switch p.Role {
	case RoleEmployer, RoleAKasse, RoleSelfEmployed:
		return "cvr:" + p.CVR.String()
	case RolePayrollSystem:
		if !p.onBehalfCVR.IsZero() {
			return "cvr:" + p.onBehalfCVR.String()
		}
		return "cvr:" + p.CVR.String()
	case RoleCitizen:
		return "cpr:" + p.CPR.String()
	case RoleProxy:
		return "cpr:" + p.onBehalfCPR.String()
	case RoleCaseworker, RoleCaseSystem:
		return "municipality:" + p.Municipality.String()
	case RoleUDKCaseworker:
		return "udk"
	case RoleAdmin:
		return "operator"
	}
	return ""
}

// Is reports whether the principal has one of roles.
func (p Principal) Is(roles ...Role) bool { return p.Role != "" && slices.Contains(roles, p.Role) }

// HasRight reports whether an employee holds the MitID Erhverv right.
func (p Principal) HasRight(right string) bool { return slices.Contains(p.Rights, right) }

// CanActForCVR reports whether the principal may see and act for the
// company cvr: an employer user with the NemRefusion right, an a-kasse
// user or a self-employed person for their own CVR, a payroll system for
// its own CVR or the CVR it acts for.
func (p Principal) CanActForCVR(cvr ids.CVR) bool {
	if cvr.IsZero() {
		return false
	}
	switch p.Role {
	case RoleEmployer:
		return p.CVR == cvr && p.HasRight(RightNemRefusion)
	case RoleAKasse, RoleSelfEmployed:
		return p.CVR == cvr
	case RolePayrollSystem:
		if !p.onBehalfCVR.IsZero() {
			return p.onBehalfCVR == cvr
		}
		return p.CVR == cvr
	}
	return false
}

// CanSeeCPR reports whether the principal may see the person cpr's own
// absences and tasks by being that person: a citizen or self-employed
// person themself, or a proxy holding that citizen's power of attorney.
// Access through a case (an employer's employee, an a-kasse's member, a
// municipality's inhabitant) is decided on the case's facts with
// CanActForCVR and CanSeeMunicipality, not here.
func (p Principal) CanSeeCPR(cpr ids.CPR) bool {
	if cpr.IsZero() {
		return false
	}
	switch p.Role {
	case RoleCitizen, RoleSelfEmployed:
		return p.CPR == cpr
	case RoleProxy:
		return p.onBehalfCPR == cpr
	}
	return false
}

// CanSeeMunicipality reports whether the principal may see the inbox of
// municipality m: a caseworker or case system of that municipality.
func (p Principal) CanSeeMunicipality(m ids.Municipality) bool {
	return !m.IsZero() && p.Is(RoleCaseworker, RoleCaseSystem) && p.Municipality == m
}

// CanSeeRecipient reports whether the principal may see the inbox of the
// receiving authority r: a municipality (CanSeeMunicipality) or Udbetaling
// Danmark (a UDK caseworker).
func (p Principal) CanSeeRecipient(r ids.Recipient) bool {
	if r.IsUDK() {
		return p.Role == RoleUDKCaseworker
	}
	m, ok := r.Municipality()
	return ok && p.CanSeeMunicipality(m)
}

// FreshLogin reports whether the login is no older than maxAge at now: the
// condition for signing (a blanket, a citizen's answers).
func (p Principal) FreshLogin(maxAge time.Duration, now time.Time) bool {
	if p.AuthTime.IsZero() {
		return false
	}
	age := now.Sub(p.AuthTime)
	return age <= maxAge && age > -time.Minute // allow a little clock skew
}

// LogValue logs role, subject, CVR and municipality numbers, and CPR
// numbers only as their pseudonyms (ids.CPR.Pseudonym: no date of birth).
func (p Principal) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("role", string(p.Role)), slog.String("sub", p.Subject)}
	if !p.CPR.IsZero() {
		attrs = append(attrs, slog.String("cpr", p.CPR.Pseudonym()))
	}
	if !p.onBehalfCPR.IsZero() {
		attrs = append(attrs, slog.String("on_behalf_of", p.onBehalfCPR.Pseudonym()))
	}
	if !p.CVR.IsZero() {
		attrs = append(attrs, slog.String("cvr", p.CVR.String()))
	}
	if !p.Municipality.IsZero() {
		attrs = append(attrs, slog.String("municipality", p.Municipality.String()))
	}
	return slog.GroupValue(attrs...)
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal Require put in ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok && p.Subject != ""
}
