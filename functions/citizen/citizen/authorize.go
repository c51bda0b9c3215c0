package citizen

import (
	"context"
	"net/http"
	"strings"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/citizen/tasks"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/runtime"
)

// errEmployeeLogin refuses a login through MitID Erhverv (an employer's,
// an a-kasse's or a self-employed person's company login): Mit Sygefravær is
// used with the personal login (seeds/003, "Selvstændige skal logge ind med
// personligt nøglekort").
var errEmployeeLogin = runtime.Fail(runtime.KindForbidden, "employee-login",
	"Du har forsøgt at logge ind i Mit Sygefravær med din medarbejdersignatur (MitID Erhverv). Du skal i stedet bruge dit personlige MitID.",
	"You tried to log in to Mit Sygefravær with your employee signature (MitID Erhverv). Please use your personal MitID instead.", nil)

// persons admits the sick person (citizen) and a power-of-attorney holder
// (proxy); a company login gets the seed's text, every other role the
// plain refusal. Refusals are in the ledger.
func (f *Function) persons(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		switch {
		case p.Is(auth.RoleCitizen, auth.RoleProxy):
			next(w, r)
		case p.Is(auth.RoleSelfEmployed, auth.RoleEmployer, auth.RoleAKasse):
			if err := auth.LogDenial(r.Context(), f.svc.DB, p, r, r.URL.Path, "employee-login"); err != nil {
				runtime.WriteError(w, err)
				return
			}
			runtime.WriteError(w, errEmployeeLogin)
		default:
			auth.Deny(w, r, f.svc.DB, p, r.URL.Path, "role")
		}
	}
}

// personOf is the CPR whose absences p may see: their own, or the one they
// hold a power of attorney for.
func personOf(p auth.Principal) string {
	return strings.TrimPrefix(p.Tenant(), "cpr:")
}

// authorize is the one place that decides whether p may see and act on
// absence a: a citizen only their own, a proxy only the absences of the
// person they hold a power of attorney for.
func authorize(p auth.Principal, a tasks.Absence) bool {
	cpr, err := ids.ParseCPR(a.CPR)
	return err == nil && p.CanSeeCPR(cpr)
}

// errHidden is the answer for an absence that is not there or not the
// caller's: the same in both cases.
var errHidden = auth.ErrNotFound

// absenceFor loads absence id for p (locked when lock) and authorizes it. A
// missing and a foreign absence both give errHidden; the foreign one is a
// denied, which writeErr logs as a denial (on the pool, after the caller's
// transaction: the refusal stands even though that transaction rolls back).
func (f *Function) absenceFor(ctx context.Context, q db, p auth.Principal, r *http.Request, lock bool) (tasks.Absence, error) {
	id := r.PathValue("id")
	a, ok, err := loadAbsence(ctx, q, id, lock)
	if err != nil {
		return a, err
	}
	if !ok {
		return a, errHidden
	}
	if !authorize(p, a) {
		return a, denied{resource: "citizen/absences/" + id}
	}
	return a, nil
}

// denied is the refusal of a foreign absence: it answers as errHidden, and
// writeErr logs it on the pool once the caller's transaction has ended.
// Logging it while the transaction still holds its connection would need a
// second one: with as many concurrent refusals as the pool has connections,
// every request then waited for a connection that none would give back.
type denied struct{ resource string }

func (d denied) Error() string { return "absence not the caller's: " + d.resource }

func (d denied) Unwrap() error { return errHidden }
