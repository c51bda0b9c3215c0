package letter

import (
	"fmt"

	"nemrefusion.dk/events"
)

// form is how letters name a registry blanket and what its receipt says
// happened to it. The pipeline names a blanket by its event type; a
// sender knows the form by its title, so letters never print the type.
//
// Passed completes "Your report ... " per form and role, with %s the
// authority: a recovery or a correction is registered on the case the
// authority already has (nothing new is "passed on to the sick person's
// municipality"), a self-employed person's report is their own claim for
// sickness benefit (not a request for refusion), and a subsidy goes to the
// jobcentre.
type form struct {
	PassedDa, PassedEn string
}

// forms has one entry per blanket of events.Blankets() (a test holds it
// to that); the titles are the registry's (events.Blanket.TitleDa/En).
var forms = map[string]form{
	events.SicknessEmployerReported: {"Anmeldelsen er sendt til den sygemeldtes kommune, %s, som behandler sagen om sygedagpenge og refusion.",
		"The report has been sent to the municipality of the employee, %s, which handles sickness benefit and reimbursement."},
	events.SicknessSelfEmployedReported: {"Din anmeldelse er sendt til din kommune, %s, som behandler din ret til sygedagpenge.",
		"Your report has been sent to your municipality, %s, which decides on your sickness benefit."},
	events.SicknessAKasseReported: {"Anmeldelsen er sendt til medlemmets kommune, %s.",
		"The report has been sent to the member's municipality, %s."},
	events.SicknessEarlyFollowUpRequested: {"Anmodningen er sendt til medarbejderens kommune, %s.",
		"The request has been sent to the employee's municipality, %s."},
	events.SicknessPeriodReported: {"Anmodningen er registreret på sygefraværssagen hos %s.",
		"The request has been registered on the absence case at %s."},
	events.SicknessRecoveryReported: {"Raskmeldingen er registreret på sygefraværssagen hos %s.",
		"The recovery has been registered on the absence case at %s."},
	events.SicknessCorrectionSubmitted: {"Rettelsen er registreret på sagen hos %s.",
		"The correction has been registered on the case at %s."},
	events.SicknessCancellationSubmitted: {"Annulleringen er registreret på sagen hos %s.",
		"The cancellation has been registered on the case at %s."},
	events.ParentalEmployerReported: {"Anmodningen er sendt til %s, som behandler sager om barselsdagpenge.",
		"The request has been sent to %s, which handles parental leave benefit."},
	events.ParentalSelfEmployedReported: {"Din anmeldelse er sendt til %s, som behandler din ret til barselsdagpenge.",
		"Your report has been sent to %s, which decides on your parental leave benefit."},
	events.ParentalAKasseReported: {"Oplysningerne er sendt til %s.",
		"The information has been sent to %s."},
	events.SubsidyWageRequested:             {"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyFlexjobRequested:          {"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyJobClarificationRequested: {"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyAdultApprenticeRequested:  {"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyMentorRequested:           {"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidySelfEmployed136Requested:  {"Din ansøgning er sendt til jobcentret i %s.", "Your application has been sent to the jobcentre of %s."},
}

// FormTitle is the title of the blanket of eventType in Danish or English;
// anything else (an older request that already carries a title) is used as
// written.
func FormTitle(eventType string, da bool) string {
	b, ok := events.BlanketOf(eventType)
	switch {
	case !ok:
		return eventType
	case da:
		return b.TitleDa
	default:
		return b.TitleEn
	}
}

// passed says what happened to an accepted submission of eventType, sent
// to authority.
func passed(eventType, authority string, da bool) string {
	f, ok := forms[eventType]
	switch {
	case !ok && da:
		return fmt.Sprintf("Den er sendt videre til %s.", authority)
	case !ok:
		return fmt.Sprintf("It has been passed on to %s.", authority)
	case da:
		return fmt.Sprintf(f.PassedDa, authority)
	default:
		return fmt.Sprintf(f.PassedEn, authority)
	}
}
