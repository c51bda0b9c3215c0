package load

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"nemrefusion.dk/events"
	"nemrefusion.dk/infra/devissuer"
)

// Kind is one kind of submission the generator makes.
type Kind string

// The kinds of submission.
const (
	// KindEmployer is an employer's sickness report for a current employee.
	KindEmployer Kind = "employer-report"
	// KindRecovery is the employer's recovery report on an absence the run
	// reported earlier (posted in the absence's stream).
	KindRecovery Kind = "recovery"
	// KindEarlyFollowUp is an employer's request for early follow-up.
	KindEarlyFollowUp Kind = "early-followup"
	// KindSelfEmployed is a self-employed person's own report.
	KindSelfEmployed Kind = "self-employed-report"
	// KindAKasse is an a-kasse's report for a member.
	KindAKasse Kind = "akasse-report"
	// KindCitizenAnswer is the sick employee's answer in Mit Sygefravær to
	// the comment task of an absence the run reported earlier (legal text
	// acknowledged, then a comment, signed and sent to the municipality).
	KindCitizenAnswer Kind = "citizen-answer"

	// KindParentalEmployer is an employer's request for refusion of wages
	// paid during an employee's parental leave (barselsloven §§ 39–40).
	KindParentalEmployer Kind = "parental-employer"
	// KindParentalSelfEmployed is a self-employed person's request for
	// their own barselsdagpenge.
	KindParentalSelfEmployed Kind = "parental-self-employed"
	// KindParentalAKasse is an a-kasse's information for a member's
	// parental-leave case.
	KindParentalAKasse Kind = "parental-akasse"

	// KindSubsidyWage is an employer's request for wage subsidy
	// (løntilskud, LAB chapter 12).
	KindSubsidyWage Kind = "subsidy-wage"
	// KindSubsidyFlexjob is an employer's request for the subsidy of a
	// flexjob agreed before 2013 (LAB § 133).
	KindSubsidyFlexjob Kind = "subsidy-flexjob"
	// KindSubsidyJobClarification is an employer's request for refusion of
	// resource-process benefit during job clarification (LAS § 69 t).
	KindSubsidyJobClarification Kind = "subsidy-job-clarification"
	// KindSubsidyAdultApprentice is an employer's request for the adult
	// apprentice subsidy of last month (LAB § 159).
	KindSubsidyAdultApprentice Kind = "subsidy-adult-apprentice"
	// KindSubsidyMentor is an employer's request for mentor subsidy (LAB
	// chapter 26).
	KindSubsidyMentor Kind = "subsidy-mentor"
	// KindSubsidySelfEmployed136 is a self-employed person's request for
	// the support under LAB § 136.
	KindSubsidySelfEmployed136 Kind = "subsidy-self-employed-136"
)

// Kinds lists every kind, sickness first.
var Kinds = []Kind{KindEmployer, KindRecovery, KindEarlyFollowUp, KindSelfEmployed, KindAKasse, KindCitizenAnswer,
	KindParentalEmployer, KindParentalSelfEmployed, KindParentalAKasse,
	KindSubsidyWage, KindSubsidyFlexjob, KindSubsidyJobClarification, KindSubsidyAdultApprentice, KindSubsidyMentor, KindSubsidySelfEmployed136}

// Function is the function that decides a kind of blanket and holds its
// blanket_submissions (its schema): "sickness", "maternity" or "subsidy";
// "" for a citizen's answer, which is not a blanket.
func (k Kind) Function() string {
	switch k {
	case KindCitizenAnswer:
		return ""
	case KindParentalEmployer, KindParentalSelfEmployed, KindParentalAKasse:
		return "maternity"
	case KindSubsidyWage, KindSubsidyFlexjob, KindSubsidyJobClarification, KindSubsidyAdultApprentice, KindSubsidyMentor, KindSubsidySelfEmployed136:
		return "subsidy"
	}
	return "sickness"
}

// Mix weighs the kinds; a kind with weight 0 is never sent.
type Mix map[Kind]int

// DefaultMix is mostly sickness (81 of 100): employers' reports and their
// follow-ups, some early follow-up requests and some self-employed and
// a-kasse reports; then parental-leave requests (10) and subsidy requests
// (9). The weights are assumptions: the sources give only the total (close
// to 2 million requests a year, seeds/001) and no split by blanket, and
// DOMAIN.md has none either. They rest on sickness absences being far more
// frequent than births (a parental request covers a leave of many weeks,
// a sick note a few days), employers sending most blankets of each family,
// and wage subsidy being the most used subsidy scheme. The flexjob and
// § 136 requests weigh 0 (NoCapKinds): the subsidy function rejects every
// one of them for a year whose cap of LAB § 133 stk. 3 / § 136 stk. 2 is not
// in its table (only the law's 2019-niveau figure is in the sources), and
// intake accepts no period that far back, so none would be decided.
var DefaultMix = Mix{
	KindEmployer: 45, KindRecovery: 12, KindCitizenAnswer: 10, KindEarlyFollowUp: 4, KindSelfEmployed: 5, KindAKasse: 5,
	KindParentalEmployer: 8, KindParentalSelfEmployed: 1, KindParentalAKasse: 1,
	KindSubsidyWage: 4, KindSubsidyFlexjob: 0, KindSubsidyJobClarification: 1, KindSubsidyAdultApprentice: 1, KindSubsidyMentor: 1, KindSubsidySelfEmployed136: 0,
}

// NoCapKinds are the kinds the subsidy function rejects while the current
// year's cap of their scheme is not in its table (functions/subsidy/grants
// caps.json): a run that sends them gets them rejected ("no_cap").
var NoCapKinds = []Kind{KindSubsidyFlexjob, KindSubsidySelfEmployed136}

// ParseMix reads "employer-report=60,recovery=20,...".
func ParseMix(s string) (Mix, error) {
	m := Mix{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		var w int
		if _, err := fmt.Sscan(v, &w); !ok || err != nil || w < 0 {
			return nil, fmt.Errorf("mix %q: want kind=weight", part)
		}
		kind := Kind(strings.TrimSpace(k))
		if !slices.Contains(Kinds, kind) {
			return nil, fmt.Errorf("mix: unknown kind %q (known: %s)", k, KindNames())
		}
		m[kind] = w
	}
	return m, nil
}

// KindNames lists the kinds' names, comma-separated.
func KindNames() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// Tenant is who a submission is sent as: a development persona acting for
// a CVR (and, for the self-employed, a CPR).
type Tenant struct {
	Persona string
	CVR     string
	CPR     string
}

// submission is one blanket ready to post.
type submission struct {
	kind   Kind
	tenant Tenant
	id     string
	body   []byte
	// report: the absence this submission may later be followed up on.
	followable bool
	cvr, cpr   string
	first      time.Time
	// citizen answer: the absence (path) instead of a CloudEvent.
	absence string
}

// reported is an accepted employer report that a recovery may follow.
type reported struct {
	stream, cvr, cpr string
	first            time.Time
	at               time.Time
}

// generator makes submissions; safe for concurrent use.
type generator struct {
	pop    population
	mix    []Kind // one entry per weight unit
	source string
	delay  time.Duration
	now    func() time.Time

	mu       sync.Mutex
	rnd      *rand.Rand
	seq      map[Kind]int
	offset   map[Kind]int
	followUp []reported
}

func newGenerator(pop population, mix Mix, source string, seed uint64, delay time.Duration, now func() time.Time) (*generator, error) {
	g := &generator{pop: pop, source: source, delay: delay, now: now, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		seq: map[Kind]int{}, offset: map[Kind]int{}}
	kinds := make([]Kind, 0, len(mix))
	for k := range mix {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, k := range kinds {
		owners := k == KindSelfEmployed || k == KindParentalSelfEmployed || k == KindSubsidySelfEmployed136
		members := k == KindAKasse || k == KindParentalAKasse
		if (owners && len(pop.owners) == 0) || (members && len(pop.members) == 0) {
			continue
		}
		for range mix[k] {
			g.mix = append(g.mix, k)
		}
	}
	if len(pop.employees) == 0 {
		return nil, fmt.Errorf("load: the dataset has no current employments")
	}
	if len(g.mix) == 0 {
		return nil, fmt.Errorf("load: the mix is empty")
	}
	for _, k := range Kinds {
		if k != KindRecovery && k != KindCitizenAnswer {
			g.offset[k] = g.rnd.IntN(1 << 20)
		}
	}
	return g, nil
}

// accepted tells the generator an employer report was accepted, so a
// recovery may follow it once delay has passed.
func (g *generator) accepted(s submission, stream string) {
	if !s.followable || stream == "" {
		return
	}
	g.mu.Lock()
	g.followUp = append(g.followUp, reported{stream: stream, cvr: s.cvr, cpr: s.cpr, first: s.first, at: g.now()})
	g.mu.Unlock()
}

// next returns the next submission of the mix. A recovery or citizen
// answer with no reported absence old enough becomes an employer report.
func (g *generator) next() (submission, error) {
	g.mu.Lock()
	kind := g.mix[g.rnd.IntN(len(g.mix))]
	var rec reported
	if kind == KindRecovery || kind == KindCitizenAnswer {
		if len(g.followUp) > 0 && g.now().Sub(g.followUp[0].at) >= g.delay {
			rec, g.followUp = g.followUp[0], g.followUp[1:]
		} else {
			kind = KindEmployer
		}
	}
	n := g.seq[kind] + g.offset[kind]
	g.seq[kind]++
	g.mu.Unlock()

	today := g.now().Truncate(24 * time.Hour)
	// Person i, then the same people again one day earlier: (person, first
	// day) never repeats within 45 rounds of the population.
	pick := func(size int) (int, time.Time) {
		return n % size, today.AddDate(0, 0, -1-(n/size)%45)
	}
	contact := events.Contact{Name: "Lønkontoret", Email: "loen@example.invalid"}
	s := submission{kind: kind, id: uuid.NewString()}
	var typ, partition string
	var data any
	switch kind {
	case KindEmployer:
		i, first := pick(len(g.pop.employees))
		e := g.pop.employees[i]
		typ = events.SicknessEmployerReported
		s.tenant, s.followable, s.cvr, s.cpr, s.first = Tenant{Persona: devissuer.PersonaEmployer, CVR: e.cvr}, true, e.cvr, e.cpr, first
		data = events.SicknessEmployerReport{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber, FirstAbsenceDay: first.Format(time.DateOnly),
			WeeklyHours: e.hours, WagesPaid: n%4 != 0, HourlyEarnings: 180 + float64(n%120), EmployedSince: e.since.Format(time.DateOnly),
			Retention: events.Retention{ExpectsReturn: true}, Contact: contact}
	case KindRecovery:
		typ, partition = events.SicknessRecoveryReported, rec.stream
		s.tenant = Tenant{Persona: devissuer.PersonaEmployer, CVR: rec.cvr}
		last := rec.first.AddDate(0, 0, 3)
		if yesterday := today.AddDate(0, 0, -1); last.After(yesterday) {
			last = yesterday
			if last.Before(rec.first) {
				last = rec.first
			}
		}
		data = events.SicknessRecoveryReport{AbsenceID: rec.stream, CVR: rec.cvr, LastAbsenceDay: last.Format(time.DateOnly)}
	case KindCitizenAnswer:
		s.tenant, s.absence = Tenant{Persona: devissuer.PersonaCitizen, CPR: rec.cpr}, rec.stream
		b, err := json.Marshal(map[string]any{"agree": false, "comment": "Jeg er ansat 37 timer om ugen og forventer at vende tilbage."})
		if err != nil {
			return s, err
		}
		s.body = b
		return s, nil
	case KindEarlyFollowUp:
		i, _ := pick(len(g.pop.employees))
		e := g.pop.employees[len(g.pop.employees)-1-i]
		typ = events.SicknessEarlyFollowUpRequested
		// Within the first 5 weeks of the absence (sygedagpengeloven
		// § 13 b): a later request is recorded and not sent on.
		first := today.AddDate(0, 0, -1-(n/len(g.pop.employees))%30)
		s.tenant = Tenant{Persona: devissuer.PersonaEmployer, CVR: e.cvr}
		data = events.SicknessEarlyFollowUpRequest{CPR: e.cpr, CVR: e.cvr, PNumber: e.pnumber, FirstAbsenceDay: first.Format(time.DateOnly),
			ExpectedWeeks: 10, Reason: "Forventet langvarigt fravær", Contact: contact}
	case KindSelfEmployed:
		i, first := pick(len(g.pop.owners))
		o := g.pop.owners[i]
		typ = events.SicknessSelfEmployedReported
		s.tenant = Tenant{Persona: devissuer.PersonaSelfEmployed, CVR: o.cvr, CPR: o.cpr}
		data = events.SicknessSelfEmployedReport{CPR: o.cpr, CVR: o.cvr, PNumber: o.pnumber, FirstAbsenceDay: first.Format(time.DateOnly),
			Insurance: "none", WeeklyHours: 37, Contact: events.Contact{Name: "Indehaver"}}
	case KindAKasse:
		i, first := pick(len(g.pop.members))
		m := g.pop.members[i]
		typ = events.SicknessAKasseReported
		s.tenant = Tenant{Persona: devissuer.PersonaAKasse, CVR: m.akasse}
		data = events.SicknessAKasseReport{CPR: m.cpr, CVR: m.akasse, FirstAbsenceDay: first.Format(time.DateOnly),
			ToldOn: first.AddDate(0, 0, 1).Format(time.DateOnly), FullyUnemployed: m.unemployed, WeeklyHours: 37, Contact: events.Contact{Name: "A-kassen"}}
	default:
		switch kind.Function() {
		case "maternity":
			typ, s.tenant, data = g.parental(kind, n, today)
		case "subsidy":
			typ, s.tenant, data = g.subsidy(kind, n, today, s.id)
		default:
			return s, fmt.Errorf("load: no generator for %s", kind)
		}
	}
	ev := map[string]any{"specversion": "1.0", "type": typ, "source": g.source, "id": s.id,
		"datacontenttype": "application/json", "data": data}
	if partition != "" {
		ev["partitionkey"] = partition
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return s, fmt.Errorf("load: encode %s: %w", kind, err)
	}
	s.body = b
	return s, nil
}
