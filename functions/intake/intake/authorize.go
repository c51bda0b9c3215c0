package intake

import (
	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/auth"
	"nemrefusion.dk/infra/blanket"
)

// policy says who may submit one event type.
type policy struct {
	// Allow decides whether p may submit to a stream owned by owner (the
	// tenant that opened it; "" for a new stream). nil means any
	// authenticated principal, in its own streams only.
	Allow func(p auth.Principal, owner string) bool
	// Signed types need a login no older than AUTH_SIGNING_MAX_AGE; the
	// ledger records who signed, with which assurance, on whose behalf.
	Signed bool
}

// policies is the hook for every submittable type: a type without a policy
// is refused (fail closed). The probe may be sent by any authenticated
// principal. The blanket issues add their types here (employer,
// self-employed, a-kasse and payroll roles for their own CVR, Signed: true).
var policies = map[string]policy{
	events.ProbeRequested:                 {},
	events.SicknessEmployerReported:       {Allow: blanket.Allow(events.SicknessEmployerReported), Signed: true},
	events.SicknessSelfEmployedReported:   {Allow: blanket.Allow(events.SicknessSelfEmployedReported), Signed: true},
	events.SicknessAKasseReported:         {Allow: blanket.Allow(events.SicknessAKasseReported), Signed: true},
	events.SicknessEarlyFollowUpRequested: {Allow: blanket.Allow(events.SicknessEarlyFollowUpRequested), Signed: true},
	events.SicknessPeriodReported:         {Allow: blanket.Allow(events.SicknessPeriodReported), Signed: true},
	events.SicknessRecoveryReported:       {Allow: blanket.Allow(events.SicknessRecoveryReported), Signed: true},
	events.SicknessCorrectionSubmitted:    {Allow: blanket.Allow(events.SicknessCorrectionSubmitted), Signed: true},
	events.SicknessCancellationSubmitted:  {Allow: blanket.Allow(events.SicknessCancellationSubmitted), Signed: true},
	// Feedback from the recipients' case systems (delivery function): any
	// municipal case system or UDK may post into an absence's stream; the
	// delivery function checks the stamped tenant against the recipient the
	// absence was delivered to.
	events.CaseRegistered:    {Allow: caseSystem},
	events.CaseStatusChanged: {Allow: caseSystem},
	events.RefusionDecided:   {Allow: caseSystem},
	events.PaymentMade:       {Allow: caseSystem},
	events.CaseTaskRequested: {Allow: caseSystem},
	// Parental leave (maternity function) and subsidies (subsidy function).
	events.ParentalEmployerReported:         {Allow: blanket.Allow(events.ParentalEmployerReported), Signed: true},
	events.ParentalSelfEmployedReported:     {Allow: blanket.Allow(events.ParentalSelfEmployedReported), Signed: true},
	events.ParentalAKasseReported:           {Allow: blanket.Allow(events.ParentalAKasseReported), Signed: true},
	events.SubsidyWageRequested:             {Allow: blanket.Allow(events.SubsidyWageRequested), Signed: true},
	events.SubsidyFlexjobRequested:          {Allow: blanket.Allow(events.SubsidyFlexjobRequested), Signed: true},
	events.SubsidyJobClarificationRequested: {Allow: blanket.Allow(events.SubsidyJobClarificationRequested), Signed: true},
	events.SubsidyAdultApprenticeRequested:  {Allow: blanket.Allow(events.SubsidyAdultApprenticeRequested), Signed: true},
	events.SubsidyMentorRequested:           {Allow: blanket.Allow(events.SubsidyMentorRequested), Signed: true},
	events.SubsidySelfEmployed136Requested:  {Allow: blanket.Allow(events.SubsidySelfEmployed136Requested), Signed: true},
}

// caseSystem admits the recipients' case systems (and UDK) to any stream.
func caseSystem(p auth.Principal, _ string) bool {
	return p.Is(auth.RoleCaseSystem, auth.RoleUDKCaseworker)
}

// resource is what a submission touches.
type resource struct {
	eventType string
	owner     string // tenant that opened the stream, "" for a new one
}

// authorize is intake's one place for authorisation: it returns "" when p
// may submit res, otherwise the reason recorded in the ledger.
func authorize(p auth.Principal, res resource) string {
	pol, ok := policies[res.eventType]
	switch {
	case !ok:
		return "type"
	case pol.Allow != nil:
		if !pol.Allow(p, res.owner) {
			return "tenant"
		}
	case res.owner != "" && res.owner != p.Tenant():
		return "tenant"
	}
	return ""
}
