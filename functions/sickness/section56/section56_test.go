package section56

import (
	"errors"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events"
	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel"
)

func date(d int, m time.Month, y int) kernel.Date { return kernel.NewDate(y, m, d) }

var copenhagen = ids.MustMunicipality(101)

func wantFieldError(t *testing.T, err error, code string) events.FieldError {
	t.Helper()
	var fe events.FieldErrors
	if !errors.As(err, &fe) || len(fe) != 1 || fe[0].Field != "section56.reference" || fe[0].Code != code {
		t.Fatalf("error %v, want one field error %s on section56.reference", err, code)
	}
	if fe[0].Da == "" || fe[0].En == "" {
		t.Errorf("the error needs Danish and English: %+v", fe[0])
	}
	return fe[0]
}

func TestScenario_SDL56_AgreementApprovedByTheMunicipalityCoversTheAbsence(t *testing.T) {
	t.Parallel()
	a, r, err := StandIn().Check(Query{Reference: "KK-56-2023-117", CPR: "120385-4321", CVR: "30000005", First: date(4, time.March, 2024), Municipality: copenhagen})
	if err != nil {
		t.Fatal(err)
	}
	if a.ApprovedOn != date(1, time.June, 2023) || a.ValidTo() != date(31, time.May, 2025) {
		t.Errorf("approval %+v valid to %s, want 1 June 2023 – 31 May 2025 (2 years)", a, a.ValidTo())
	}
	if r.Rule != "sdl-56-approval" || r.Law != "sygedagpengeloven § 56" || !strings.Contains(r.TextDa, "Københavns Kommune") {
		t.Errorf("reason %+v", r)
	}
	// Lower case and spaces around the reference are the same reference.
	if _, _, err := StandIn().Check(Query{Reference: " kk-56-2023-117 ", CPR: "1203854321", First: date(4, time.March, 2024), Municipality: copenhagen}); err != nil {
		t.Errorf("normalised reference: %v", err)
	}
}

func TestScenario_SDL56_UnknownReference_OrAnotherPersonsOrMunicipalitys_IsUnknown(t *testing.T) {
	t.Parallel()
	for name, q := range map[string]Query{
		"unknown reference":      {Reference: "KK-56-1999-001", CPR: "1203854321", First: date(4, time.March, 2024), Municipality: copenhagen},
		"another person's":       {Reference: "KK-56-2023-117", CPR: "0304954328", First: date(4, time.March, 2024), Municipality: copenhagen},
		"another employer's":     {Reference: "KK-56-2023-117", CPR: "1203854321", CVR: "12345674", First: date(4, time.March, 2024), Municipality: copenhagen},
		"another municipality's": {Reference: "KK-56-2023-117", CPR: "1203854321", First: date(4, time.March, 2024), Municipality: ids.MustMunicipality(751)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, _, err := StandIn().Check(q)
			wantFieldError(t, err, "section56.unknown")
		})
	}
}

func TestScenario_SDL56_ApprovalLasts2Years_ExpiredOrNotYetApprovedIsRefused(t *testing.T) {
	t.Parallel()
	// KK-56-2021-009 was approved 4 January 2021: valid to 3 January 2023.
	q := Query{Reference: "KK-56-2021-009", CPR: "1203854321", CVR: "30000005", Municipality: copenhagen}
	q.First = date(3, time.January, 2023)
	if _, _, err := StandIn().Check(q); err != nil {
		t.Errorf("on the last day of the 2 years: %v", err)
	}
	q.First = date(4, time.January, 2023)
	e := wantFieldError(t, func() error { _, _, err := StandIn().Check(q); return err }(), "section56.expired")
	if !strings.Contains(e.Da, "3. januar 2023") {
		t.Errorf("the error does not say when it expired: %s", e.Da)
	}
	q.First = date(3, time.January, 2021)
	wantFieldError(t, func() error { _, _, err := StandIn().Check(q); return err }(), "section56.not_yet_approved")
}

func TestLoadRefusesAnIncompleteApproval(t *testing.T) {
	t.Parallel()
	if _, err := Load([]byte(`{"approvals":[{"municipality":"101","reference":"X","approvedOn":"2024-01-01"}]}`)); err == nil {
		t.Error("an approval without CPR was loaded")
	}
	if _, err := Load([]byte(`{"approvals":[{"municipality":"999","reference":"X","cpr":"1203854321","approvedOn":"2024-01-01"}]}`)); err == nil {
		t.Error("an approval of an unknown municipality was loaded")
	}
}
