package lookup

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/ledger"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/runtime"
)

// HeaderCorrelation carries the caller's correlation id into the ledger
// entry of an HTTP lookup (a fresh id when absent).
const HeaderCorrelation = "X-Correlation-Id"

func (s *Service) routes(v *auth.Verifier) {
	requireLogin := auth.Require(v)
	route := func(pattern, kind string, fill func(r *http.Request, q *events.LookupRequest)) {
		s.svc.Mux.Handle(pattern, requireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			req := events.LookupRequest{Kind: kind, Purpose: r.URL.Query().Get("purpose"), AbsenceID: r.URL.Query().Get("absence")}
			fill(r, &req)
			s.serve(w, r, req)
		})))
	}
	route("GET /api/v1/lookup/persons/{cpr}", events.LookupPerson, func(r *http.Request, q *events.LookupRequest) {
		q.CPR = r.PathValue("cpr")
	})
	route("GET /api/v1/lookup/persons/{cpr}/income", events.LookupIncome, func(r *http.Request, q *events.LookupRequest) {
		q.CPR, q.From, q.To = r.PathValue("cpr"), r.URL.Query().Get("from"), r.URL.Query().Get("to")
	})
	route("GET /api/v1/lookup/companies/{cvr}", events.LookupCompany, func(r *http.Request, q *events.LookupRequest) {
		q.CVR = r.PathValue("cvr")
	})
	route("GET /api/v1/lookup/punits/{pnumber}", events.LookupPUnit, func(r *http.Request, q *events.LookupRequest) {
		q.PNumber = r.PathValue("pnumber")
	})
}

// serve answers one HTTP lookup: 400 with field errors, 403 (recorded)
// when the principal may not see the subject, 503 with Retry-After while a
// register is down, 404 for an unknown number, else 200 with the data,
// written only after the ledger entry committed.
func (s *Service) serve(w http.ResponseWriter, r *http.Request, req events.LookupRequest) {
	ctx := r.Context()
	p, _ := auth.FromContext(ctx)
	q, fe := parse(req)
	if len(fe) > 0 {
		runtime.WriteError(w, runtime.Invalid(fe))
		return
	}
	if !authorize(p, q) {
		if err := s.deny(r, p, q); err != nil {
			runtime.WriteError(w, err)
			return
		}
		auth.WriteForbidden(w)
		return
	}
	ans, err := s.fetch(ctx, q)
	outcome := "answered"
	switch {
	case errors.Is(err, registers.ErrUnavailable):
		runtime.Logger(ctx).WarnContext(ctx, "register unavailable", "kind", q.kind, "err", err.Error())
		runtime.WriteError(w, errUnavailable(err))
		return
	case errors.Is(err, registers.ErrNotFound):
		outcome = "not-found"
	case err != nil:
		runtime.WriteError(w, err)
		return
	}
	if err := s.recordHTTP(r, p, q, outcome); err != nil {
		runtime.WriteError(w, err)
		return
	}
	if outcome == "not-found" {
		code, da, en := notFound(q.kind)
		runtime.WriteError(w, runtime.Fail(runtime.KindNotFound, code, da, en, nil))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	var body any
	switch q.kind {
	case events.LookupPerson:
		body = ans.Person
	case events.LookupCompany:
		body = ans.Company
	case events.LookupPUnit:
		body = ans.PUnit
	default:
		body = ans.Income
	}
	runtime.WriteJSON(w, http.StatusOK, body)
}

// deny records a refusal in the access-denied stream. Unlike
// auth.LogDenial it keeps the CPR number out of the reason and the log:
// the lookup paths hold it.
func (s *Service) deny(r *http.Request, p auth.Principal, q query) error {
	e := auth.DeniedEntry(p, r, "lookup/"+s.subject(q), "tenant")
	e.Reason, _ = json.Marshal(map[string]string{"method": r.Method, "route": r.Pattern, "resource": "lookup/" + s.subject(q), "reason": "tenant", "role": string(p.Role)})
	if _, err := ledger.Append(r.Context(), s.svc.DB, e); err != nil {
		return fmt.Errorf("record access denial: %w", err)
	}
	runtime.Logger(r.Context()).InfoContext(r.Context(), "access denied", "principal", p, "route", r.Pattern, "kind", q.kind)
	return nil
}

// recordHTTP appends the ledger entry of an HTTP lookup: who is the
// principal (and on whose behalf), whose and why as for events.
func (s *Service) recordHTTP(r *http.Request, p auth.Principal, q query, outcome string) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	corr := r.Header.Get(HeaderCorrelation)
	if corr == "" || len(corr) > 100 {
		corr = id.String()
	}
	payload, err := json.Marshal(q.request())
	if err != nil {
		return err
	}
	return s.svc.Do(r.Context(), nil, func(tx *runtime.Tx) error {
		_, err := tx.Record(r.Context(), ledger.Entry{
			Stream: s.stream(q), Actor: p.Subject, Role: string(p.Role), OnBehalfOf: p.OnBehalfOf(),
			EventType: auth.EventAccessRead, EventSource: events.SourcePrefix + s.svc.Name, EventID: id.String(),
			Correlation: corr, Reason: s.reason(q, outcome), Payload: payload,
		})
		return err
	})
}

// authorize is the one place that decides who may look up what:
//   - companies and P-units (public in CVR): every logged-in principal;
//   - a person: caseworkers (municipality, UDK, case systems), senders
//     (employers, a-kasser, payroll systems) and the person themself
//     (a citizen, a self-employed person, a proxy for the citizen);
//   - income: caseworkers and the person themself only; a sender needs
//     no income from other employers (data minimisation).
//
// Administrators operate the system and see no personal data.
func authorize(p auth.Principal, q query) bool {
	caseworker := p.Is(auth.RoleCaseworker, auth.RoleUDKCaseworker, auth.RoleCaseSystem)
	sender := p.Is(auth.RoleEmployer, auth.RoleAKasse, auth.RolePayrollSystem)
	switch q.kind {
	case events.LookupCompany, events.LookupPUnit:
		return p.Role != ""
	case events.LookupPerson:
		return caseworker || sender || p.CanSeeCPR(q.cpr)
	case events.LookupIncome:
		return caseworker || p.CanSeeCPR(q.cpr)
	}
	return false
}
