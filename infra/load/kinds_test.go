package load

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
	"nemrefusion.dk/infra/registers/synth"
)

// registry is what the functions look up for a blanket, from the dataset
// the stack's registers serve.
type registry struct {
	persons    map[string]bool
	punits     map[string]string  // P-number → CVR
	owners     map[string]string  // CVR → owner's CPR
	employed   map[[2]string]bool // current (CPR, CVR)
	membership map[[2]string]bool // (CPR, a-kasse)
}

func registryOf(d *synth.Dataset) registry {
	r := registry{persons: map[string]bool{}, punits: map[string]string{}, owners: map[string]string{},
		employed: map[[2]string]bool{}, membership: map[[2]string]bool{}}
	for _, p := range d.Persons {
		r.persons[p.CPR.String()] = true
	}
	for _, c := range d.Companies {
		for _, u := range c.PUnits {
			r.punits[u.PNumber.String()] = u.CVR.String()
		}
		if !c.Owner.IsZero() {
			r.owners[c.CVR.String()] = c.Owner.String()
		}
	}
	for _, e := range d.Employments {
		if e.End.IsZero() {
			r.employed[[2]string{e.CPR.String(), e.CVR.String()}] = true
		}
	}
	for _, m := range d.Memberships {
		r.membership[[2]string{m.CPR.String(), m.AKasse.String()}] = true
	}
	return r
}

// day parses a date of a generated blanket.
func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("date %q: %v", s, err)
	}
	return d
}

// The parental-leave and subsidy kinds make blankets the pipeline decides,
// for many seeds and days (the turn of a year and of a month among them):
// valid against the schema and the blanket's Check, sent as a tenant who
// may send it (seeds/000 § 1 and the table of senders in DOMAIN.md), for
// people and companies the registers know (P-number under the CVR, a
// current employee, the owner of a sole proprietorship, a member of the
// a-kasse), and within the functions' rules: a parental leave week that
// has passed and whose deadline has not (barselsloven § 40 stk. 2–3); a
// subsidy for last month (LAB § 159: in arrears), at most 3 months back
// (LAS § 69 t), inside the agreement or a mentor grant of at most 6
// months (LAB chapter 26), a flexjob agreed before 2013 (LAB § 133); and
// never the same leave or agreement twice (which the functions refuse).
func TestParentalAndSubsidyKindsAreDecidable(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	days := []time.Time{now, time.Date(now.Year(), 1, 2, 9, 0, 0, 0, time.UTC), time.Date(now.Year()-1, 12, 31, 22, 0, 0, 0, time.UTC),
		time.Date(now.Year(), 3, 1, 0, 30, 0, 0, time.UTC)}
	d := dataset(t)
	reg := registryOf(d)
	kinds := []Kind{KindParentalEmployer, KindParentalSelfEmployed, KindParentalAKasse, KindSubsidyWage, KindSubsidyFlexjob,
		KindSubsidyJobClarification, KindSubsidyAdultApprentice, KindSubsidyMentor, KindSubsidySelfEmployed136}
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			for seed := uint64(1); seed <= 12; seed++ {
				at := days[seed%uint64(len(days))]
				today := at.Truncate(24 * time.Hour)
				g, err := newGenerator(newPopulation(d, at), Mix{kind: 1}, "/load/test", seed, time.Nanosecond, func() time.Time { return at })
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for range 150 {
					s, err := g.next()
					if err != nil {
						t.Fatal(err)
					}
					if s.kind != kind || s.followable {
						t.Fatalf("asked for %s, got %s (followable %v)", kind, s.kind, s.followable)
					}
					var ev cloudevents.Event
					if err := json.Unmarshal(s.body, &ev); err != nil {
						t.Fatal(err)
					}
					if err := events.Validate(ev); err != nil {
						t.Fatalf("%s does not validate: %v\n%s", kind, err, s.body)
					}
					if err := events.CheckDomain(ev.Type(), ev.Data()); err != nil {
						t.Fatalf("%s fails the domain checks: %v\n%s", kind, err, s.body)
					}
					key := checkDecidable(t, kind, ev, s.tenant, reg, today)
					if seen[key] {
						t.Fatalf("seed %d: %s repeats %s, which the function refuses", seed, kind, key)
					}
					seen[key] = true
				}
			}
		})
	}
}

// checkDecidable checks one blanket against its Check, the sender's
// rights, the registers and the function's rules, and returns what
// identifies its case.
func checkDecidable(t *testing.T, kind Kind, ev cloudevents.Event, tenant Tenant, reg registry, today time.Time) string {
	t.Helper()
	fail := func(f string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s\n%s", kind, fmt.Sprintf(f, args...), ev.Data())
	}
	decode := func(v interface{ Check() events.FieldErrors }) {
		t.Helper()
		if err := json.Unmarshal(ev.Data(), v); err != nil {
			fail("%v", err)
		}
		if fe := v.Check(); len(fe) > 0 {
			fail("Check: %v", fe)
		}
	}
	// The sender: an employer for its employee at its own workplace, a
	// self-employed person for their own company, an a-kasse for its member.
	sender := func(cpr, cvr, pnumber string) {
		t.Helper()
		if !reg.persons[cpr] {
			fail("CPR %s not in the registers", cpr)
		}
		if pnumber != "" && reg.punits[pnumber] != cvr {
			fail("P-number %s is not under CVR %s", pnumber, cvr)
		}
		if tenant.CVR != cvr {
			fail("sent as tenant %s for CVR %s", tenant.CVR, cvr)
		}
		switch tenant.Persona {
		case devissuer.PersonaEmployer:
			if !reg.employed[[2]string{cpr, cvr}] {
				fail("%s is not employed at %s", cpr, cvr)
			}
		case devissuer.PersonaSelfEmployed:
			if reg.owners[cvr] != cpr || tenant.CPR != cpr {
				fail("%s does not own %s (tenant %+v)", cpr, cvr, tenant)
			}
		case devissuer.PersonaAKasse:
			if !reg.membership[[2]string{cpr, cvr}] {
				fail("%s is not a member of a-kasse %s", cpr, cvr)
			}
		default:
			fail("sent as persona %q", tenant.Persona)
		}
		// The personas carry the role of the same name (devissuer).
		if !slices.Contains(events.BlanketSenders(ev.Type()), tenant.Persona) {
			fail("persona %s may not send %s", tenant.Persona, ev.Type())
		}
	}
	// A leave week that has passed, with its deadline 8 weeks after the
	// leave period expires (a week after it) still ahead.
	leave := func(child string, ps []events.LeavePeriod) {
		t.Helper()
		if len(ps) == 0 || ps[0].From != child {
			fail("the leave does not start on the child's date")
		}
		to := day(t, ps[len(ps)-1].To)
		if !to.Before(today) || to.AddDate(0, 0, 7+8*7).Before(today) {
			fail("leave ending %s is not past or its deadline has passed (today %s)", to.Format(time.DateOnly), today.Format(time.DateOnly))
		}
	}
	lastMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
	// The period paid for is last month: ended, and not older than 3 months.
	month := func(p events.DatePeriod) (time.Time, time.Time) {
		t.Helper()
		f, to := day(t, p.From), day(t, p.To)
		if !f.Equal(lastMonth) || !to.Equal(lastMonth.AddDate(0, 1, -1)) {
			fail("period %v is not last month (today %s)", p, today.Format(time.DateOnly))
		}
		return f, to
	}
	switch kind {
	case KindParentalEmployer:
		var r events.ParentalEmployerReport
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		leave(r.ChildDate, r.Periods)
		return r.CPR + r.CVR + r.ChildDate
	case KindParentalSelfEmployed:
		var r events.ParentalSelfEmployedReport
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		leave(r.ChildDate, r.Periods)
		return r.CPR + r.CVR + r.ChildDate
	case KindParentalAKasse:
		var r events.ParentalAKasseReport
		decode(&r)
		sender(r.CPR, r.CVR, "")
		leave(r.ChildDate, r.Periods)
		return r.CPR + r.CVR + r.ChildDate
	case KindSubsidyWage:
		var r events.SubsidyWageRequest
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		f, to := month(r.Period)
		if f.Before(day(t, r.AgreementPeriod.From)) || to.After(day(t, r.AgreementPeriod.To)) {
			fail("period outside the agreement")
		}
		return r.Agreement.Reference
	case KindSubsidyFlexjob:
		var r events.SubsidyFlexjobRequest
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		month(r.Period)
		if r.Agreement.Date >= events.FlexjobSchemeEnd {
			fail("flexjob agreed %s, not before 2013 (LAB § 133)", r.Agreement.Date)
		}
		return r.Agreement.Reference
	case KindSubsidyJobClarification:
		var r events.SubsidyJobClarificationRequest
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		_, to := month(r.Period)
		if to.Before(today.AddDate(0, -3, 0)) || to.Before(day(t, r.ProcessStart)) {
			fail("period ends before the process or more than 3 months back (LAS § 69 t)")
		}
		return r.Decision.Reference
	case KindSubsidyAdultApprentice:
		var r events.SubsidyAdultApprenticeRequest
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		if r.Month != lastMonth.Format("2006-01") {
			fail("month %s has not ended or is not last month (LAB § 159)", r.Month)
		}
		return r.Decision.Reference
	case KindSubsidyMentor:
		var r events.SubsidyMentorRequest
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		f, to := month(r.Period)
		gf, gt := day(t, r.Grant.From), day(t, r.Grant.To)
		if gt.After(gf.AddDate(0, 6, -1)) || f.Before(gf) || to.After(gt) {
			fail("grant %v longer than 6 months or not around the period (LAB chapter 26)", r.Grant)
		}
		return r.Decision.Reference
	case KindSubsidySelfEmployed136:
		var r events.SubsidySelfEmployed136Request
		decode(&r)
		sender(r.CPR, r.CVR, r.PNumber)
		month(r.Period)
		return r.Decision.Reference
	}
	fail("no check for this kind")
	return ""
}
