package blanket

import (
	"strings"
	"testing"

	"nemrefusion.dk/events"
)

// The rejected receipt names every reason that fits the letter's template
// value (at most 500 characters), whole lines only, in both languages.
func TestReasonLinesFitTheLetter(t *testing.T) {
	fe := events.FieldErrors{
		{Field: "cpr", Code: "cpr.unknown", Da: "Personen findes ikke i CPR.", En: "The person does not exist in CPR."},
		{Field: "pNumber", Code: "pnumber.unknown", Da: "P-nummeret findes ikke i CVR.", En: "The P-number does not exist in CVR."},
	}
	da, en := reasonLines(fe)
	if da != "cpr: Personen findes ikke i CPR.\npNumber: P-nummeret findes ikke i CVR." ||
		en != "cpr: The person does not exist in CPR.\npNumber: The P-number does not exist in CVR." {
		t.Fatalf("reasons %q / %q", da, en)
	}
	var many events.FieldErrors
	for range 40 {
		many = append(many, fe[0])
	}
	da, _ = reasonLines(many)
	if len(da) > maxLetterValue || !strings.HasSuffix(da, "CPR.") {
		t.Fatalf("%d characters, ends %q: want whole lines within %d", len(da), da[len(da)-10:], maxLetterValue)
	}
}
