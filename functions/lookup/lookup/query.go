package lookup

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
	"nemrefusion.dk/infra/registers/standin"
)

// query is a checked lookup request.
type query struct {
	kind     string
	cpr      ids.CPR
	cvr      ids.CVR
	pn       ids.PNumber
	from, to registers.Month
	purpose  string
	absence  string
}

// Limits of the free-text fields.
const (
	minPurpose = 3
	maxPurpose = 200
	maxAbsence = 100
)

// parse checks a request and returns every problem at once, in Danish and
// English, never echoing the values.
func parse(r events.LookupRequest) (query, events.FieldErrors) {
	q := query{kind: r.Kind, purpose: strings.TrimSpace(r.Purpose), absence: strings.TrimSpace(r.AbsenceID)}
	var fe events.FieldErrors
	idErr := func(field string, err error) {
		var e *ids.Error
		if errors.As(err, &e) {
			fe.Add(field, e.Code, e.Da, e.En)
			return
		}
		fe.Add(field, "invalid", "Værdien er ugyldig.", "The value is not valid.")
	}
	required := func(field, da, en string) {
		fe.Add(field, "required", da, en)
	}
	switch r.Kind {
	case events.LookupPerson, events.LookupIncome:
		if r.CPR == "" {
			required("cpr", "Angiv CPR-nummeret.", "Give the CPR number.")
		} else if c, err := ids.ParseCPR(r.CPR); err != nil {
			idErr("cpr", err)
		} else {
			q.cpr = c
		}
	case events.LookupCompany:
		if r.CVR == "" {
			required("cvr", "Angiv CVR-nummeret.", "Give the CVR number.")
		} else if c, err := ids.ParseCVR(r.CVR); err != nil {
			idErr("cvr", err)
		} else {
			q.cvr = c
		}
	case events.LookupPUnit:
		if r.PNumber == "" {
			required("pnumber", "Angiv P-nummeret.", "Give the P-number.")
		} else if p, err := ids.ParsePNumber(r.PNumber); err != nil {
			idErr("pnumber", err)
		} else {
			q.pn = p
		}
	default:
		fe.Add("kind", "kind.unknown", "Opslaget skal være person, company, punit eller income.",
			"The lookup must be person, company, punit or income.")
	}
	if r.Kind == events.LookupIncome {
		from, errFrom := registers.ParseMonth(r.From)
		to, errTo := registers.ParseMonth(r.To)
		if errFrom != nil {
			fe.Add("from", "month.format", "Angiv første måned som ÅÅÅÅ-MM.", "Give the first month as YYYY-MM.")
		}
		if errTo != nil {
			fe.Add("to", "month.format", "Angiv sidste måned som ÅÅÅÅ-MM.", "Give the last month as YYYY-MM.")
		}
		if errFrom == nil && errTo == nil {
			if to.Before(from) || to.Compare(from.AddMonths(standin.MaxIncomeMonths-1)) > 0 {
				fe.Add("to", "income.period", "Sidste måned skal ligge efter første måned og højst 60 måneder senere.",
					"The last month must come after the first month and at most 60 months later.")
			}
			q.from, q.to = from, to
		}
	}
	if n := utf8.RuneCountInString(q.purpose); n < minPurpose || n > maxPurpose {
		fe.Add("purpose", "purpose.required", "Angiv formålet med opslaget (3-200 tegn); det skrives i revisionssporet.",
			"Give the purpose of the lookup (3-200 characters); it is written to the audit trail.")
	}
	if utf8.RuneCountInString(q.absence) > maxAbsence {
		fe.Add("absenceId", "absence.too-long", "Fraværs-id'et er for langt.", "The absence id is too long.")
	}
	return q, fe
}

// subject names whose data the lookup reads, without a CPR number: the
// person's pseudonym, or the company or P-unit number (public in CVR).
func (s *Service) subject(q query) string {
	switch q.kind {
	case events.LookupPerson, events.LookupIncome:
		return s.cache.Pseudonym(q.cpr)
	case events.LookupCompany:
		return "company-" + q.cvr.String()
	default:
		return "punit-" + q.pn.String()
	}
}

// stream is the ledger stream of the lookup: the read stream of the
// absence when the request names one (so the read sits with the case),
// else the read stream of the subject.
func (s *Service) stream(q query) string {
	if q.absence != "" {
		return "reads/" + q.absence
	}
	return "reads/" + s.subject(q)
}

// reason is the ledger entry's why: purpose, what was read and the outcome.
func (s *Service) reason(q query, outcome string) json.RawMessage {
	r := map[string]string{"purpose": q.purpose, "kind": q.kind, "subject": s.subject(q), "outcome": outcome}
	if q.kind == events.LookupIncome {
		r["from"], r["to"] = q.from.String(), q.to.String()
	}
	b, _ := json.Marshal(r)
	return b
}

// request is the query as a LookupRequest (the ledger payload of an HTTP
// lookup).
func (q query) request() events.LookupRequest {
	r := events.LookupRequest{Kind: q.kind, CPR: q.cpr.String(), CVR: q.cvr.String(), PNumber: q.pn.String(),
		Purpose: q.purpose, AbsenceID: q.absence}
	if q.kind == events.LookupIncome {
		r.From, r.To = q.from.String(), q.to.String()
	}
	return r
}
