package rules

import (
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/records"
)

func TestEmploysNeedsIncomeFromThatEmployer(t *testing.T) {
	emp, other := ids.MustCVR("30000005"), ids.MustCVR("31000009")
	months := []records.IncomeMonth{{Employer: emp, Month: records.NewMonth(2026, 1), Hours: 160}}
	if !Employs(emp, months) {
		t.Fatal("the employer that reported income does not employ")
	}
	if Employs(other, months) || Employs(ids.CVR{}, months) || Employs(emp, nil) {
		t.Fatal("an employer without income for the person employs")
	}
}

func TestMemberOf(t *testing.T) {
	ak := ids.MustCVR("33000006")
	if !MemberOf(ak, records.Membership{AKasse: ak}) || MemberOf(ids.MustCVR("30000005"), records.Membership{AKasse: ak}) || MemberOf(ids.CVR{}, records.Membership{}) {
		t.Fatal("membership")
	}
}

func TestResidentInNowOrWithinTheRelationPeriod(t *testing.T) {
	kbh, ros, aar := ids.MustMunicipality(101), ids.MustMunicipality(265), ids.MustMunicipality(751)
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	moved := records.Person{
		Residence: records.Residence{From: time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), Municipality: ros},
		History: []records.Residence{
			{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: aar},
			{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: kbh},
		},
	}
	tests := []struct {
		m    ids.Municipality
		want bool
	}{{ros, true}, {kbh, true}, {aar, false}, {ids.Municipality{}, false}}
	for _, tc := range tests {
		if got := ResidentIn(moved, tc.m, now); got != tc.want {
			t.Errorf("ResidentIn(%s) = %v, want %v", tc.m, got, tc.want)
		}
	}
	abroad := records.Person{Residence: records.Residence{Country: "SE"}}
	if ResidentIn(abroad, kbh, now) {
		t.Fatal("a person abroad is resident in København")
	}
}
