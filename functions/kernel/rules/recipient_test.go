package rules

import (
	"errors"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

// Routing (DOMAIN.md, Senders and blankets; NemRefusion FAQ): municipality of
// residence in CPR at signing; abroad → the workplace's municipality;
// parental leave → Udbetaling Danmark (barselsloven § 40 stk. 1).
func TestRecipientFor(t *testing.T) {
	t.Parallel()
	aarhus, kbh, helsingor := ids.MustMunicipality(751), ids.MustMunicipality(101), ids.MustMunicipality(217)
	inAarhus := records.Person{CPR: testCPR, Residence: records.Residence{Municipality: aarhus}}
	moved := records.Person{CPR: testCPR,
		Residence: records.Residence{From: day(2024, time.May, 1), Municipality: aarhus},
		History:   []records.Residence{{From: day(2015, time.March, 1), Municipality: kbh}}}
	inSweden := records.Person{CPR: testCPR, Residence: records.Residence{Country: "SE"}}
	backFromAbroad := records.Person{CPR: testCPR,
		Residence: records.Residence{From: day(2024, time.June, 1), Municipality: aarhus},
		History:   []records.Residence{{From: day(2019, time.January, 1), Country: "DE"}}}
	workKbh := &records.PUnit{PNumber: ids.MustPNumber("1003388394"), CVR: employer, Municipality: kbh}
	workHelsingor := &records.PUnit{PNumber: ids.MustPNumber("1012345678"), CVR: employer, Municipality: helsingor}
	noMuni := &records.PUnit{PNumber: ids.MustPNumber("1000000000"), CVR: employer}
	signed := day(2024, time.May, 20)

	tests := []struct {
		name      string
		person    records.Person
		workplace *records.PUnit
		kind      RecipientKind
		at        time.Time
		want      string
		rule      string
		err       error
	}{
		{name: "residence: lives in Aarhus → Aarhus", person: inAarhus, kind: ToMunicipality, at: signed, want: "751", rule: RuleResidence},
		{name: "residence: the workplace does not matter when living in Denmark", person: inAarhus, workplace: workKbh, kind: ToMunicipality, at: signed, want: "751", rule: RuleResidence},
		{name: "residence at signing: signed before moving → old municipality", person: moved, kind: ToMunicipality, at: day(2024, time.April, 30), want: "101", rule: RuleResidence},
		{name: "residence at signing: signed on the moving day → new municipality", person: moved, kind: ToMunicipality, at: day(2024, time.May, 1), want: "751", rule: RuleResidence},
		{name: "residence at signing: before anything CPR knows → error", person: moved, kind: ToMunicipality, at: day(2010, time.May, 1), err: ErrResidenceUnknown},
		{name: "abroad: lives in Sweden, works in Helsingør → Helsingør", person: inSweden, workplace: workHelsingor, kind: ToMunicipality, at: signed, want: "217", rule: RuleWorkplace},
		{name: "abroad: signed while still abroad → workplace municipality", person: backFromAbroad, workplace: workKbh, kind: ToMunicipality, at: day(2024, time.May, 31), want: "101", rule: RuleWorkplace},
		{name: "abroad: signed after moving home → residence", person: backFromAbroad, workplace: workKbh, kind: ToMunicipality, at: day(2024, time.June, 1), want: "751", rule: RuleResidence},
		{name: "abroad: no workplace → error", person: inSweden, kind: ToMunicipality, at: signed, err: ErrNoWorkplace},
		{name: "abroad: workplace without municipality → error", person: inSweden, workplace: noMuni, kind: ToMunicipality, at: signed, err: ErrWorkplaceMunicipality},
		{name: "barselsloven § 40 stk. 1: parental leave → UDK", person: inAarhus, kind: ToUDK, at: signed, want: "UDK", rule: RuleUDK},
		{name: "barselsloven § 40 stk. 1: parental leave → UDK even when abroad without workplace", person: inSweden, kind: ToUDK, at: signed, want: "UDK", rule: RuleUDK},
		{name: "unknown kind → error", person: inAarhus, kind: "", at: signed, err: ErrRecipientKind},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := RecipientFor(tc.person, tc.workplace, tc.kind, tc.at)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				return
			}
			if d.Recipient.String() != tc.want || d.Rule != tc.rule {
				t.Fatalf("got %s by %s, want %s by %s", d.Recipient, d.Rule, tc.want, tc.rule)
			}
			if d.Source == "" || d.Reference == "" || !d.At.Equal(tc.at) {
				t.Errorf("decision must name its source and time: %+v", d)
			}
			if !strings.Contains(d.TextDa, d.Recipient.Name()) || !strings.Contains(d.TextEn, d.Recipient.Name()) {
				t.Errorf("texts must name the recipient %q:\n%s\n%s", d.Recipient.Name(), d.TextDa, d.TextEn)
			}
			if strings.Contains(d.TextDa, testCPR.String()) || strings.Contains(d.TextEn, testCPR.String()) {
				t.Error("texts must not contain the CPR number")
			}
			if tc.rule == RuleWorkplace && d.Workplace != tc.workplace.PNumber {
				t.Errorf("workplace %s, want %s", d.Workplace, tc.workplace.PNumber)
			}
		})
	}
}
