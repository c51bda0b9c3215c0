package rules

import "nemrefusion.dk/events/ids"

// Error is a reason a rule could not be applied: the identifiers' error
// shape (a stable code and the same message in Danish and English), so a
// caller turns either into an events.FieldError the same way.
type Error = ids.Error

// Errors RecipientFor returns; compare with errors.Is.
var (
	ErrNoWorkplace = &Error{Code: "recipient.workplace-missing",
		Da: "Personen bor i udlandet. Angiv arbejdsstedets P-nummer, så indberetningen kan sendes til arbejdsstedets kommune.",
		En: "The person lives abroad. Give the workplace's P-number so the report can go to the workplace's municipality."}
	ErrWorkplaceMunicipality = &Error{Code: "recipient.workplace-municipality",
		Da: "Arbejdsstedets P-enhed har ingen kommune i CVR.",
		En: "The workplace's P-unit has no municipality in CVR."}
	ErrResidenceUnknown = &Error{Code: "recipient.residence-unknown",
		Da: "CPR kender ikke personens bopæl på tidspunktet.",
		En: "CPR does not know where the person lived at that time."}
	ErrRecipientKind = &Error{Code: "recipient.kind",
		Da: "Ukendt type modtager.",
		En: "Unknown kind of recipient."}
)
