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
	TitleDa, TitleEn   string
	PassedDa, PassedEn string
}

// forms has one entry per blanket of events.Blankets() (a test holds it
// to that). The Danish titles are the schemas' titles without the sender
// in brackets.
var forms = map[string]form{
	events.SicknessEmployerReported: {"Sygefravær og anmodning om refusion", "Sickness absence and request for refusion",
		"Anmeldelsen er sendt til den sygemeldtes kommune, %s, som behandler sagen om sygedagpenge og refusion.",
		"The report has been sent to the municipality of the employee, %s, which handles sickness benefit and refusion."},
	events.SicknessSelfEmployedReported: {"Sygefravær og anmodning om sygedagpenge (selvstændig)", "Sickness absence and claim for sickness benefit (self-employed)",
		"Din anmeldelse er sendt til din kommune, %s, som behandler din ret til sygedagpenge.",
		"Your report has been sent to your municipality, %s, which decides on your sickness benefit."},
	events.SicknessAKasseReported: {"Sygefravær for ledigt medlem", "Sickness absence of an unemployed member",
		"Anmeldelsen er sendt til medlemmets kommune, %s.",
		"The report has been sent to the member's municipality, %s."},
	events.SicknessEarlyFollowUpRequested: {"Anmodning om tidlig opfølgning", "Request for early follow-up",
		"Anmodningen er sendt til medarbejderens kommune, %s.",
		"The request has been sent to the employee's municipality, %s."},
	events.SicknessPeriodReported: {"Anmodning om refusion for næste periode", "Request for refusion for the next period",
		"Anmodningen er registreret på sygefraværssagen hos %s.",
		"The request has been registered on the absence case at %s."},
	events.SicknessRecoveryReported: {"Raskmelding", "Report of recovery",
		"Raskmeldingen er registreret på sygefraværssagen hos %s.",
		"The recovery has been registered on the absence case at %s."},
	events.SicknessCorrectionSubmitted: {"Rettelse af anmeldelse", "Correction of a report",
		"Rettelsen er registreret på sagen hos %s.",
		"The correction has been registered on the case at %s."},
	events.SicknessCancellationSubmitted: {"Annullering af anmeldelse", "Cancellation of a report",
		"Annulleringen er registreret på sagen hos %s.",
		"The cancellation has been registered on the case at %s."},
	events.ParentalEmployerReported: {"Refusion af barselsdagpenge", "Refusion of parental leave benefit",
		"Anmodningen er sendt til %s, som behandler sager om barselsdagpenge.",
		"The request has been sent to %s, which handles parental leave benefit."},
	events.ParentalSelfEmployedReported: {"Barselsdagpenge (selvstændig)", "Parental leave benefit (self-employed)",
		"Din anmeldelse er sendt til %s, som behandler din ret til barselsdagpenge.",
		"Your report has been sent to %s, which decides on your parental leave benefit."},
	events.ParentalAKasseReported: {"Oplysninger til barselsdagpengesag", "Information for a parental leave benefit case",
		"Oplysningerne er sendt til %s.",
		"The information has been sent to %s."},
	events.SubsidyWageRequested: {"Løntilskud", "Wage subsidy",
		"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyFlexjobRequested: {"Fleksjobtilskud", "Flexi-job subsidy",
		"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyJobClarificationRequested: {"Refusion af ressourceforløbsydelse under jobafklaring", "Refusion of resource allowance during job clarification",
		"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyAdultApprenticeRequested: {"Løntilskud til voksenlærling", "Wage subsidy for an adult apprentice",
		"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidyMentorRequested: {"Tilskud til mentorfunktion", "Subsidy for a mentor",
		"Anmodningen er sendt til jobcentret i %s.", "The request has been sent to the jobcentre of %s."},
	events.SubsidySelfEmployed136Requested: {"Støtte efter LAB § 136 (selvstændig)", "Support under the Active Employment Act, section 136 (self-employed)",
		"Din ansøgning er sendt til jobcentret i %s.", "Your application has been sent to the jobcentre of %s."},
}

// FormTitle is the title of the blanket of eventType in Danish or English;
// anything else (an older request that already carries a title) is used as
// written.
func FormTitle(eventType string, da bool) string {
	f, ok := forms[eventType]
	switch {
	case !ok:
		return eventType
	case da:
		return f.TitleDa
	default:
		return f.TitleEn
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
