package synth

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/functions/kernel/rules"
	"nemrefusion.dk/infra/registers"
)

var testRef = registers.NewMonth(2024, time.June)

func generate(t testing.TB, seed uint64) *Dataset {
	t.Helper()
	d, err := Generate(DefaultConfig(seed, testRef))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	a, b, c := generate(t, 42), generate(t, 42), generate(t, 43)
	if !reflect.DeepEqual(a.Persons, b.Persons) || !reflect.DeepEqual(a.Companies, b.Companies) ||
		!reflect.DeepEqual(a.Employments, b.Employments) || !reflect.DeepEqual(a.Memberships, b.Memberships) ||
		!reflect.DeepEqual(a.income, b.income) {
		t.Fatal("same seed must give the same data")
	}
	if reflect.DeepEqual(a.Persons, c.Persons) || reflect.DeepEqual(a.Companies, c.Companies) || reflect.DeepEqual(a.income, c.income) {
		t.Fatal("different seeds must give different data")
	}
	// The personas are the same whatever the seed.
	for _, p := range Personas() {
		if p.CPR.IsZero() {
			continue
		}
		pa, errA := a.Person(context.Background(), p.CPR)
		pc, errC := c.Person(context.Background(), p.CPR)
		if errA != nil || errC != nil || !reflect.DeepEqual(pa, pc) {
			t.Errorf("persona %s differs between seeds", p.Key)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"too few persons":   {Seed: 1, Persons: 10, Companies: 600, Reference: testRef},
		"too few companies": {Seed: 1, Persons: 10000, Companies: 1, Reference: testRef},
		"no reference":      {Seed: 1, Persons: 10000, Companies: 600},
	} {
		if _, err := Generate(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: error = %v, want ErrConfig", name, err)
		}
	}
}

func TestDistribution(t *testing.T) {
	t.Parallel()
	d := generate(t, 7)
	n := len(d.Persons)
	if n != DefaultPersons {
		t.Fatalf("%d persons, want %d", n, DefaultPersons)
	}
	within := func(name string, got int, lo, hi float64) {
		t.Helper()
		if f := float64(got) / float64(n); f < lo || f > hi {
			t.Errorf("%s: %d of %d (%.2f%%), want %.1f%%–%.1f%%", name, got, n, 100*f, 100*lo, 100*hi)
		}
	}
	var abroadN, exempt, sms, english, represented, mod11, female, moved int
	perMuni := map[int]int{}
	seen := map[ids.CPR]bool{}
	for _, p := range d.Persons {
		if seen[p.CPR] {
			t.Fatalf("duplicate CPR %s", p.CPR.Masked())
		}
		seen[p.CPR] = true
		if _, err := ids.ParseCPR(p.CPR.String()); err != nil {
			t.Fatalf("invalid CPR %s: %v", p.CPR.Masked(), err)
		}
		if p.Name == "" || p.Address.Street == "" || p.Address.PostalCode == "" || p.Address.City == "" {
			t.Fatalf("person %s lacks name or address", p.CPR.Masked())
		}
		if p.Residence.Abroad() {
			abroadN++
			if p.Residence.Country == "" || p.Residence.Country == "DK" || p.Address.Country != p.Residence.Country {
				t.Errorf("abroad person %s without a foreign country", p.CPR.Masked())
			}
			if len(d.EmploymentsOf(p.CPR)) == 0 {
				t.Errorf("abroad person %s has no workplace to route by", p.CPR.Masked())
			}
		} else {
			perMuni[p.Residence.Municipality.Number()]++
			if p.Residence.Country != "" || p.Address.Country != "DK" {
				t.Errorf("person %s in Denmark with a country", p.CPR.Masked())
			}
		}
		if p.DigitalPostExempt {
			exempt++
		}
		if p.NemSMS != "" {
			sms++
			if len(p.NemSMS) != 11 || p.NemSMS[:3] != "+45" {
				t.Errorf("NemSMS number %q", p.NemSMS)
			}
		}
		switch p.PreferredLanguage {
		case registers.LanguageEnglish:
			english++
		case registers.LanguageDanish:
		default:
			t.Errorf("language %q", p.PreferredLanguage)
		}
		if len(p.Representatives) > 0 {
			represented++
			for _, r := range p.Representatives {
				if !seen[r.CPR] && func() bool { _, err := d.Person(context.Background(), r.CPR); return err != nil }() {
					t.Errorf("representative of %s is not a known person", p.CPR.Masked())
				}
			}
		}
		if p.CPR.HasModulus11() {
			mod11++
		}
		if p.CPR.Female() {
			female++
		}
		if len(p.History) > 0 {
			moved++
		}
		age := testRef.First().Year() - p.CPR.BirthDate().Year()
		if age < 17 || age > 90 {
			t.Errorf("age %d", age)
		}
	}
	if len(perMuni) != 98 {
		t.Errorf("persons live in %d municipalities, want all 98", len(perMuni))
	}
	if perMuni[101] < perMuni[825]*50 || perMuni[751] < perMuni[492]*20 {
		t.Errorf("not population weighted: København %d, Læsø %d, Aarhus %d, Ærø %d", perMuni[101], perMuni[825], perMuni[751], perMuni[492])
	}
	within("abroad", abroadN, 0.008, 0.012)
	within("Digital Post exempt", exempt, 0.025, 0.035)
	within("NemSMS", sms, 0.27, 0.33)
	within("English", english, 0.04, 0.06)
	within("guardian or power of attorney", represented, 0.008, 0.012)
	within("with modulus 11", mod11, 0.70, 0.90)
	within("without modulus 11", n-mod11, 0.10, 0.30)
	within("women", female, 0.45, 0.55)
	within("moved", moved, 0.03, 0.05)

	// Companies: valid unique CVRs, 1–5 P-units each, in many municipalities.
	cvrs, pnums, unitMunis := map[ids.CVR]bool{}, map[ids.PNumber]bool{}, map[int]bool{}
	ordinary, sole := 0, 0
	for _, c := range d.Companies {
		if _, err := ids.ParseCVR(c.CVR.String()); err != nil || cvrs[c.CVR] {
			t.Fatalf("CVR %s invalid or duplicate", c.CVR)
		}
		cvrs[c.CVR] = true
		if len(c.PUnits) < 1 || len(c.PUnits) > 5 {
			t.Errorf("company %s has %d P-units", c.CVR, len(c.PUnits))
		}
		for _, u := range c.PUnits {
			if pnums[u.PNumber] || u.CVR != c.CVR || u.Municipality.IsZero() {
				t.Errorf("P-unit %s duplicate, of another CVR or without municipality", u.PNumber)
			}
			pnums[u.PNumber] = true
			unitMunis[u.Municipality.Number()] = true
		}
		switch c.Form {
		case "Enkeltmandsvirksomhed":
			sole++
			if c.Owner.IsZero() {
				t.Errorf("sole proprietorship %s without owner", c.CVR)
			}
		case "ApS", "A/S", "I/S":
			ordinary++
		}
	}
	if ordinary < 500 || sole < 100 || len(unitMunis) < 90 {
		t.Errorf("%d ordinary companies, %d sole proprietorships, P-units in %d municipalities", ordinary, sole, len(unitMunis))
	}
	if len(d.AKasser) < 5 {
		t.Errorf("%d a-kasser, want at least 5", len(d.AKasser))
	}
	for _, a := range d.AKasser {
		if _, err := d.Company(context.Background(), a.CVR); err != nil {
			t.Errorf("a-kasse %s not in CVR", a.CVR)
		}
	}
	unemployed := 0
	for _, m := range d.Memberships {
		if m.Unemployed {
			unemployed++
		}
	}
	within("unemployed a-kasse members", unemployed, 0.02, 0.04)
}

// The dataset must hold people who fail the employment requirement
// (sygedagpengeloven § 32 stk. 1 nr. 1) in each way, for a first absence
// day in the reference month.
func TestEmploymentRequirementMix(t *testing.T) {
	t.Parallel()
	d := generate(t, 11)
	ctx := context.Background()
	first := testRef.First().AddDate(0, 0, 4)
	var pass, failTotalOnly, failMonthsOnly, failBoth, noIncome int
	for _, p := range d.Persons {
		inc, err := d.Income(ctx, p.CPR, testRef.AddMonths(-12), testRef.AddMonths(-1))
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range inc {
			if im.CPR != p.CPR || im.Hours <= 0 || im.AMIncomeOre <= 0 || !im.Month.Before(testRef) || im.Month.Before(testRef.AddMonths(-12)) {
				t.Fatalf("bad income month %+v", im.Month)
			}
		}
		r := rules.EmploymentRequirement(inc, first)
		totalOK, monthsOK := r.TotalHours >= 240, r.MonthsWithAtLeast40 >= 5
		switch {
		case r.NoIncome:
			noIncome++
		case r.Passed:
			pass++
		case !totalOK && monthsOK:
			failTotalOnly++
		case totalOK && !monthsOK:
			failMonthsOnly++
		default:
			failBoth++
		}
	}
	t.Logf("pass %d, fail total only %d, fail months only %d, fail both %d, no income %d", pass, failTotalOnly, failMonthsOnly, failBoth, noIncome)
	if pass < 8000 || failTotalOnly < 100 || failMonthsOnly < 100 || failBoth < 50 || noIncome < 200 {
		t.Error("every way of passing and failing must be well represented")
	}
	if got := d.IncomeCount(); got < 100000 {
		t.Errorf("%d income months", got)
	}
}

func TestPersonas(t *testing.T) {
	t.Parallel()
	d := generate(t, 3)
	ctx := context.Background()
	first := testRef.First().AddDate(0, 0, 2) // 3rd of the reference month
	at := testRef.First().AddDate(0, 0, 9)
	keys := map[string]bool{}
	for _, p := range Personas() {
		if keys[p.Key] || p.Description == "" {
			t.Fatalf("persona %q duplicate or undescribed", p.Key)
		}
		keys[p.Key] = true
		if got, ok := PersonaByKey(p.Key); !ok || got != p {
			t.Fatalf("PersonaByKey(%q)", p.Key)
		}
		if !p.CVR.IsZero() {
			if _, err := d.Company(ctx, p.CVR); err != nil {
				t.Errorf("persona %s: company: %v", p.Key, err)
			}
		}
		if !p.PNumber.IsZero() {
			u, err := d.PUnit(ctx, p.PNumber)
			if err != nil || u.CVR != p.CVR {
				t.Errorf("persona %s: P-unit %v, CVR %s", p.Key, err, u.CVR)
			}
		}
	}
	person := func(key string) (Persona, registers.Person, rules.Result) {
		t.Helper()
		pp, _ := PersonaByKey(key)
		p, err := d.Person(ctx, pp.CPR)
		if err != nil {
			t.Fatalf("persona %s: %v", key, err)
		}
		inc, err := d.Income(ctx, p.CPR, testRef.AddMonths(-12), testRef.AddMonths(-1))
		if err != nil {
			t.Fatal(err)
		}
		return pp, p, rules.EmploymentRequirement(inc, first)
	}
	route := func(key string) string {
		t.Helper()
		pp, p, _ := person(key)
		var w *registers.PUnit
		if !pp.PNumber.IsZero() {
			u, _ := d.PUnit(ctx, pp.PNumber)
			w = &u
		}
		dec, err := rules.RecipientFor(p, w, rules.ToMunicipality, at)
		if err != nil {
			t.Fatalf("route %s: %v", key, err)
		}
		return dec.Recipient.String()
	}

	if _, _, r := person(PersonaEmployee); !r.Passed {
		t.Errorf("employee must pass: %s", r.TextEn)
	}
	if _, _, r := person(PersonaFailsTotalHours); r.Passed || r.TotalHours >= 240 || r.MonthsWithAtLeast40 < 5 {
		t.Errorf("fails-total-hours: %s", r.TextEn)
	}
	if _, _, r := person(PersonaFailsMonthlyHours); r.Passed || r.TotalHours < 240 || r.MonthsWithAtLeast40 >= 5 {
		t.Errorf("fails-monthly-hours: %s", r.TextEn)
	}
	if _, _, r := person(PersonaNoIncome); !r.NoIncome {
		t.Errorf("no-income: %s", r.TextEn)
	}
	if _, p, r := person(PersonaAbroad); !p.Residence.Abroad() || !r.Passed || route(PersonaAbroad) != "217" {
		t.Errorf("abroad: abroad=%v passed=%v", p.Residence.Abroad(), r.Passed)
	}
	if _, p, _ := person(PersonaDigitalPostExempt); !p.DigitalPostExempt {
		t.Error("digital-post-exempt")
	}
	if _, p, _ := person(PersonaNemSMS); p.NemSMS == "" {
		t.Error("nemsms")
	}
	if _, p, _ := person(PersonaEnglish); p.PreferredLanguage != registers.LanguageEnglish {
		t.Error("english")
	}
	if pp, p, _ := person(PersonaSelfEmployed); func() bool { c, _ := d.Company(ctx, pp.CVR); return c.Owner != p.CPR }() {
		t.Error("self-employed must own the persona's CVR")
	}
	if pp, p, _ := person(PersonaUnemployedMember); func() bool {
		m, ok := d.MembershipOf(p.CPR)
		return !ok || !m.Unemployed || m.AKasse != pp.CVR
	}() {
		t.Error("akasse-unemployed must be an unemployed member of the persona a-kasse")
	}
	if _, p, _ := person(PersonaRepresented); len(p.Representatives) != 1 || p.Representatives[0].CPR != mustPersona(PersonaEmployee).CPR {
		t.Error("represented")
	}
	if route(PersonaEmployee) != "101" || route(PersonaMoved) != "265" {
		t.Error("routing of employee/moved")
	}
	_, moved, _ := person(PersonaMoved)
	if dec, _ := rules.RecipientFor(moved, nil, rules.ToMunicipality, testRef.AddMonths(-1).First()); dec.Recipient.String() != "101" {
		t.Errorf("moved persona before moving: %s", dec.Recipient)
	}
}

func mustPersona(key string) Persona {
	p, _ := PersonaByKey(key)
	return p
}

func TestLookups(t *testing.T) {
	t.Parallel()
	d := generate(t, 5)
	ctx := context.Background()
	unknownCPR := ids.MustCPR("0101010000")
	if _, err := d.Person(ctx, unknownCPR); !errors.Is(err, registers.ErrNotFound) {
		t.Errorf("unknown person: %v", err)
	}
	if _, err := d.Income(ctx, unknownCPR, testRef.AddMonths(-6), testRef); !errors.Is(err, registers.ErrNotFound) {
		t.Errorf("income of unknown person: %v", err)
	}
	// The errors get logged: they name the person by pseudonym, without the
	// date of birth (no personal data in logs).
	_, errPerson := d.Person(ctx, unknownCPR)
	_, errIncome := d.Income(ctx, unknownCPR, testRef.AddMonths(-6), testRef)
	_, errMember := d.Membership(ctx, unknownCPR)
	for _, err := range []error{errPerson, errIncome, errMember} {
		if err == nil || strings.Contains(err.Error(), "010101") || !strings.Contains(err.Error(), unknownCPR.Pseudonym()) {
			t.Errorf("error of an unknown person must name them by pseudonym only: %v", err)
		}
	}
	if _, err := d.Company(ctx, ids.MustCVR("12345674")); !errors.Is(err, registers.ErrNotFound) {
		t.Errorf("unknown company: %v", err)
	}
	if _, err := d.PUnit(ctx, ids.MustPNumber("0000000001")); !errors.Is(err, registers.ErrNotFound) {
		t.Errorf("unknown P-unit: %v", err)
	}
	emp := mustPersona(PersonaEmployee)
	inc, err := d.IncomeByEmployer(ctx, emp.CPR, emp.CVR, testRef.AddMonths(-3), testRef.AddMonths(-1))
	if err != nil || len(inc) != 3 || inc[0].Month != testRef.AddMonths(-3) {
		t.Fatalf("income: %v %d", err, len(inc))
	}
	if inc, _ := d.IncomeByEmployer(ctx, emp.CPR, ids.MustCVR("12345674"), testRef.AddMonths(-12), testRef); len(inc) != 0 {
		t.Errorf("other employer's income: %d", len(inc))
	}
	// Returned values are copies.
	rep, _ := d.Person(ctx, mustPersona(PersonaRepresented).CPR)
	rep.Representatives[0].Kind = "x"
	again, _ := d.Person(ctx, rep.CPR)
	if again.Representatives[0].Kind == "x" {
		t.Error("Person must return a copy")
	}
}

func TestPlacesCoverEveryMunicipality(t *testing.T) {
	t.Parallel()
	all := ids.AllMunicipalities()
	if len(places) != len(all) {
		t.Fatalf("%d places, %d municipalities", len(places), len(all))
	}
	for i, m := range all {
		if places[i].code != m.Number() || places[i].population <= 0 || len(places[i].postalCode) != 4 {
			t.Errorf("place %d: %+v for %d %s", i, places[i], m.Number(), m.Name())
		}
	}
}

func TestGenerateIsFast(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("timing is meaningless under -race or -short; BenchmarkGenerate measures it")
	}
	start := time.Now()
	generate(t, 99)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Generate took %s, want well under 2 s", el)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(DefaultConfig(1, testRef)); err != nil {
			b.Fatal(err)
		}
	}
}
