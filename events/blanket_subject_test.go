package events_test

import (
	"testing"

	"nemrefusion.dk/events"
)

// BlanketSubject gives a rejection only what is well-formed: a CPR number
// as ten digits, dates as dates; anything else, and data that is not JSON,
// is "".
func TestBlanketSubjectKeepsOnlyWellFormedValues(t *testing.T) {
	for _, tc := range []struct {
		data, cpr, first, last string
	}{
		{`{"cpr":"010190-1234","firstAbsenceDay":"2026-03-02","lastAbsenceDay":"2026-03-20"}`, "0101901234", "2026-03-02", "2026-03-20"},
		{`{"cpr":"01019","firstAbsenceDay":"2026-02-30","lastAbsenceDay":"20 March"}`, "", "", ""},
		{`{"absenceId":"x"}`, "", "", ""},
		{`not json`, "", "", ""},
		{`{"cpr":12}`, "", "", ""},
	} {
		cpr, first, last := events.BlanketSubject([]byte(tc.data))
		if cpr != tc.cpr || first != tc.first || last != tc.last {
			t.Errorf("%s: %q %q %q, want %q %q %q", tc.data, cpr, first, last, tc.cpr, tc.first, tc.last)
		}
	}
}
