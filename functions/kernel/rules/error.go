package rules

// Error is a reason a rule could not be applied, in the shape of
// events.FieldError without the field: a stable code and the same message
// in Danish and English.
type Error struct {
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// Error returns the code and the English text.
func (e *Error) Error() string { return e.Code + ": " + e.En }

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
