package ids

// Error is one reason an identifier was rejected. Code is stable and
// machine-readable (for example "cpr.format"); Da and En are the same
// message for people. Copy the three into an events.FieldError together
// with the field name.
type Error struct {
	Code string `json:"code"`
	Da   string `json:"da"`
	En   string `json:"en"`
}

// Error returns the code and the English text, never the rejected value.
func (e *Error) Error() string { return e.Code + ": " + e.En }

// The errors the parse functions return. Compare with errors.Is; read the
// code and texts with errors.As into *Error.
var (
	ErrCPRFormat = &Error{Code: "cpr.format",
		Da: "CPR-nummeret skal have 10 cifre, fx 010190-1234 eller 0101901234.",
		En: "The CPR number must have 10 digits, e.g. 010190-1234 or 0101901234."}
	ErrCPRDate = &Error{Code: "cpr.date",
		Da: "CPR-nummeret indeholder ikke en gyldig fødselsdato.",
		En: "The CPR number does not contain a valid date of birth."}
	ErrCVRFormat = &Error{Code: "cvr.format",
		Da: "CVR-nummeret skal have 8 cifre og må ikke begynde med 0.",
		En: "The CVR number must have 8 digits and must not start with 0."}
	ErrCVRChecksum = &Error{Code: "cvr.checksum",
		Da: "CVR-nummeret er ikke gyldigt (kontrolcifferet passer ikke).",
		En: "The CVR number is not valid (the check digit does not match)."}
	ErrPNumberFormat = &Error{Code: "pnumber.format",
		Da: "P-nummeret skal have 10 cifre.",
		En: "The P-number must have 10 digits."}
	ErrMunicipalityUnknown = &Error{Code: "municipality.unknown",
		Da: "Kommunenummeret findes ikke.",
		En: "There is no municipality with that number."}
	ErrRecipientFormat = &Error{Code: "recipient.format",
		Da: "Modtageren skal være et kommunenummer eller UDK (Udbetaling Danmark).",
		En: "The recipient must be a municipality number or UDK (Udbetaling Danmark)."}
)

// digits reports whether s is exactly n ASCII digits.
func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
