package synth

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"nemrefusion.dk/events/ids"
	"nemrefusion.dk/infra/registers"
)

// Shares of the generated (non-persona) persons, in per mille. Each share
// is an exact count, not a probability, so the distribution holds for every
// seed.
const (
	permilleAbroad         = 10
	permilleDPExempt       = 30
	permilleNemSMS         = 300
	permilleEnglish        = 50
	permilleRepresented    = 10
	permilleMoved          = 40
	permilleSelfEmployed   = 20
	permilleUnemployed     = 30
	permilleNoIncome       = 20
	permilleFailTotal      = 20
	permilleFailMonths     = 20
	permilleFailBoth       = 10
	permilleSecondJob      = 50
	permilleMember         = 650
	permilleModulus11      = 800
	percentSelfEmployedIns = 50
)

// category is what kind of working life a generated person has.
type category int

const (
	catEmployed     category = iota // passes the employment requirement unless started recently
	catSelfEmployed                 // own sole proprietorship, no eIndkomst income
	catUnemployed                   // a-kasse member whose job ended 2–10 months ago
	catNoIncome                     // no employment, no income
	catFailTotal                    // 5 months of 40–47 hours and one empty: < 240 hours
	catFailMonths                   // seasonal: 2–4 months of 120–165 hours: ≥ 240 but < 5 months
	catFailBoth                     // 10–35 hours every month
)

type gen struct {
	r      *rand.Rand
	cfg    Config
	ref    registers.Month
	ds     *Dataset
	cprs   map[ids.CPR]bool
	cvrs   map[ids.CVR]bool
	pnums  map[ids.PNumber]bool
	cum    []int // cumulative population weights over places
	byMuni map[int][]registers.PUnit
	units  []registers.PUnit // every P-unit of an ordinary company
	income map[ids.CPR][]registers.IncomeMonth
}

// Generate builds the dataset for cfg. It returns an error matching
// ErrConfig for an unusable Config.
func Generate(cfg Config) (*Dataset, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := &gen{
		r:      rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		cfg:    cfg,
		ref:    cfg.Reference,
		ds:     &Dataset{Config: cfg},
		cprs:   map[ids.CPR]bool{},
		cvrs:   map[ids.CVR]bool{},
		pnums:  map[ids.PNumber]bool{},
		byMuni: map[int][]registers.PUnit{},
		income: map[ids.CPR][]registers.IncomeMonth{},
	}
	total := 0
	for _, p := range places {
		total += p.population
		g.cum = append(g.cum, total)
	}
	g.personas()
	g.akasser()
	g.companies()
	g.persons()
	for cpr, months := range g.income {
		slices.SortFunc(months, func(a, b registers.IncomeMonth) int {
			return cmp.Or(a.Month.Compare(b.Month), strings.Compare(a.Employer.String(), b.Employer.String()))
		})
		g.income[cpr] = months
	}
	g.ds.income = g.income
	g.ds.index()
	return g.ds, nil
}

// --- small helpers -------------------------------------------------------

// lastDay returns the last day of month m.
func lastDay(m registers.Month) time.Time { return m.AddMonths(1).First().AddDate(0, 0, -1) }

// pick returns a random element.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// municipality returns a population-weighted random place.
func (g *gen) municipality() place {
	n := g.r.IntN(g.cum[len(g.cum)-1])
	return places[sort.SearchInts(g.cum, n+1)]
}

// choose returns k distinct random elements of eligible, in random order.
func (g *gen) choose(eligible []int, k int) []int {
	idx := slices.Clone(eligible)
	g.r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return idx[:min(k, len(idx))]
}

func share(n, permille int) int { return n * permille / 1000 }

func (g *gen) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

func (g *gen) address(p place) registers.Address {
	street := pick(g.r, streets) + " " + strconv.Itoa(1+g.r.IntN(150))
	if p.population >= 90 && g.r.IntN(2) == 0 {
		street += ", " + strconv.Itoa(1+g.r.IntN(5)) + ". " + pick(g.r, []string{"th", "tv", "mf"})
	}
	return registers.Address{Street: street, PostalCode: p.postalCode, City: p.town, Country: "DK"}
}

func fixedAddress(street string, muni int) registers.Address {
	p := placeByCode[muni]
	return registers.Address{Street: street, PostalCode: p.postalCode, City: p.town, Country: "DK"}
}

// cvr returns a new unique CVR number with a valid modulus-11 check.
func (g *gen) cvr() ids.CVR {
	weights := [7]int{2, 7, 6, 5, 4, 3, 2}
	for {
		s := strconv.Itoa(1+g.r.IntN(9)) + g.digits(6)
		sum := 0
		for i, w := range weights {
			sum += int(s[i]-'0') * w
		}
		check := (11 - sum%11) % 11 // the last weight is 1
		if check == 10 {
			continue
		}
		c, err := ids.ParseCVR(s + strconv.Itoa(check))
		if err != nil || g.cvrs[c] {
			continue
		}
		g.cvrs[c] = true
		return c
	}
}

// pnumber returns a new unique P-number (real ones start with 1).
func (g *gen) pnumber() ids.PNumber {
	for {
		p := ids.MustPNumber("1" + g.digits(9))
		if !g.pnums[p] && p.String() > "1000000100" {
			g.pnums[p] = true
			return p
		}
	}
}

// cpr returns a new unique CPR number for the birth date and gender, with
// or without the modulus-11 check.
func (g *gen) cpr(birth time.Time, female, mod11 bool) ids.CPR {
	yy := birth.Year() % 100
	var seventh []int
	for d := 0; d <= 9; d++ {
		if ids.BirthYear(yy, d) == birth.Year() {
			seventh = append(seventh, d)
		}
	}
	prefix := birth.Format("020106")
	for {
		s := prefix + strconv.Itoa(pick(g.r, seventh)) + g.digits(2)
		var last int
		if mod11 {
			weights := [9]int{4, 3, 2, 7, 6, 5, 4, 3, 2}
			sum := 0
			for i, w := range weights {
				sum += int(s[i]-'0') * w
			}
			last = (11 - sum%11) % 11
			if last == 10 || (last%2 == 0) != female {
				continue
			}
		} else {
			last = 2*g.r.IntN(5) + 1
			if female {
				last--
			}
			if ids.Modulus11CPR(s + strconv.Itoa(last)) {
				continue
			}
		}
		c := ids.MustCPR(s + strconv.Itoa(last))
		if g.cprs[c] {
			continue
		}
		g.cprs[c] = true
		return c
	}
}

// addIncome records one month of income.
func (g *gen) addIncome(cpr ids.CPR, employer ids.CVR, m registers.Month, hours float64, wageKr int) {
	if hours <= 0 {
		return
	}
	g.income[cpr] = append(g.income[cpr], registers.IncomeMonth{
		CPR: cpr, Employer: employer, Month: m, Hours: hours,
		AMIncomeOre: int64(math.Round(hours * float64(wageKr) * 100)),
	})
}

// employ records an employment and its income over the 12 months before
// the reference month; hours(j) gives the hours of month ref-12+j.
func (g *gen) employ(cpr ids.CPR, u registers.PUnit, start, end time.Time, weekly float64, wageKr int, hours func(j int) float64) {
	g.ds.Employments = append(g.ds.Employments, registers.Employment{
		CPR: cpr, CVR: u.CVR, PNumber: u.PNumber, Start: start, End: end, WeeklyHours: weekly,
	})
	for j := range 12 {
		m := g.ref.AddMonths(j - 12)
		first, last := m.First(), lastDay(m)
		if start.After(last) || (!end.IsZero() && end.Before(first)) {
			continue
		}
		h := hours(j)
		days := float64(last.Day())
		from, to := 1.0, days
		if start.After(first) {
			from = float64(start.Day())
		}
		if !end.IsZero() && end.Before(last) {
			to = float64(end.Day())
		}
		if frac := (to - from + 1) / days; frac < 1 {
			h = math.Round(h*frac*2) / 2
		}
		g.addIncome(cpr, u.CVR, m, h, wageKr)
	}
}

// --- personas ------------------------------------------------------------

func (g *gen) personas() {
	ref := g.ref
	for _, c := range []ids.CVR{demoEmployerCVR, seasonalCVR, selfEmployedCVR, demoAKasseCVR} {
		g.cvrs[c] = true
	}
	for _, p := range []ids.PNumber{demoPKobenhavn, demoPHelsingor, demoPAarhus, selfEmployedP, akasseP, seasonalP} {
		g.pnums[p] = true
	}
	unit := func(p ids.PNumber, cvr ids.CVR, name, street string, muni int) registers.PUnit {
		return registers.PUnit{PNumber: p, CVR: cvr, Name: name, Address: fixedAddress(street, muni), Municipality: ids.MustMunicipality(muni)}
	}
	demo := registers.Company{CVR: demoEmployerCVR, Name: "Demo Byg & Anlæg A/S", Form: "A/S", Address: fixedAddress("Havnegade 1", 101),
		PUnits: []registers.PUnit{
			unit(demoPKobenhavn, demoEmployerCVR, "Demo Byg & Anlæg A/S – København", "Havnegade 1", 101),
			unit(demoPHelsingor, demoEmployerCVR, "Demo Byg & Anlæg A/S – Helsingør", "Industrivej 7", 217),
			unit(demoPAarhus, demoEmployerCVR, "Demo Byg & Anlæg A/S – Aarhus", "Fabriksvej 22", 751),
		}}
	seasonal := registers.Company{CVR: seasonalCVR, Name: "Vestkyst Sommerhusservice ApS", Form: "ApS", Address: fixedAddress("Strandvejen 40", 760),
		PUnits: []registers.PUnit{unit(seasonalP, seasonalCVR, "Vestkyst Sommerhusservice ApS", "Strandvejen 40", 760)}}
	selfCo := registers.Company{CVR: selfEmployedCVR, Name: "Peter Hansen Tømrer", Form: "Enkeltmandsvirksomhed", Address: fixedAddress("Skovvej 3", 630),
		PUnits: []registers.PUnit{unit(selfEmployedP, selfEmployedCVR, "Peter Hansen Tømrer", "Skovvej 3", 630)}}
	akasse := registers.Company{CVR: demoAKasseCVR, Name: "Demo A-kasse", Form: "Forening", Address: fixedAddress("Bredgade 10", 101),
		PUnits: []registers.PUnit{unit(akasseP, demoAKasseCVR, "Demo A-kasse", "Bredgade 10", 101)}}
	ps := map[string]Persona{}
	for _, p := range Personas() {
		ps[p.Key] = p
		if !p.CPR.IsZero() {
			g.cprs[p.CPR] = true
		}
	}
	selfCo.Owner = ps[PersonaSelfEmployed].CPR
	g.ds.Companies = append(g.ds.Companies, demo, seasonal, selfCo, akasse)
	g.ds.AKasser = append(g.ds.AKasser, registers.AKasse{CVR: demoAKasseCVR, Name: akasse.Name})
	person := func(key, name, street string, muni int) registers.Person {
		return registers.Person{CPR: ps[key].CPR, Name: name, Address: fixedAddress(street, muni),
			Residence: registers.Residence{Municipality: ids.MustMunicipality(muni)}, PreferredLanguage: registers.LanguageDanish}
	}
	employee := person(PersonaEmployee, "Lars Jensen", "Vestergade 12, 2. th", 101)
	failsTotal := person(PersonaFailsTotalHours, "Anne Nielsen", "Birkevej 4", 751)
	failsMonthly := person(PersonaFailsMonthlyHours, "Mads Kristensen", "Klitvej 9", 760)
	noIncome := person(PersonaNoIncome, "Pia Larsen", "Lindevej 18", 561)
	abroadP := person(PersonaAbroad, "Erik Lindqvist", "", 217)
	abroadP.Address = registers.Address{Street: "Storgatan 5", PostalCode: "211 20", City: "Malmö", Country: "SE"}
	abroadP.Residence = registers.Residence{Country: "SE"}
	exempt := person(PersonaDigitalPostExempt, "Inge Mortensen", "Rosenvej 2", 461)
	exempt.DigitalPostExempt = true
	sms := person(PersonaNemSMS, "Jonas Holm", "Solvej 31", 751)
	sms.NemSMS = "+4520123456"
	english := person(PersonaEnglish, "Emma Clarke", "Parkvej 8, 1. tv", 147)
	english.PreferredLanguage = registers.LanguageEnglish
	self := person(PersonaSelfEmployed, "Peter Hansen", "Skovvej 3", 630)
	unemployed := person(PersonaUnemployedMember, "Signe Dahl", "Toftevej 15", 851)
	represented := person(PersonaRepresented, "Poul Schmidt", "Kastanievej 6", 157)
	represented.Representatives = []registers.Representative{{CPR: ps[PersonaEmployee].CPR, Kind: registers.RepresentativePowerOfAttorney}}
	moved := person(PersonaMoved, "Kasper Lund", "Algade 20", 265)
	moved.Residence.From = ref.AddMonths(-1).First().AddDate(0, 0, 14)
	moved.History = []registers.Residence{{Municipality: ids.MustMunicipality(101)}}
	g.ds.Persons = append(g.ds.Persons, employee, failsTotal, failsMonthly, noIncome, abroadP, exempt, sms, english, self,
		unemployed, represented, moved)

	longAgo := ref.AddMonths(-60).First()
	fullTime := func(int) float64 { return 160.33 }
	for _, key := range []string{PersonaEmployee, PersonaAbroad, PersonaDigitalPostExempt, PersonaNemSMS, PersonaEnglish, PersonaMoved} {
		u := demo.PUnits[slices.IndexFunc(demo.PUnits, func(u registers.PUnit) bool { return u.PNumber == ps[key].PNumber })]
		g.employ(ps[key].CPR, u, longAgo, time.Time{}, 37, 260, fullTime)
	}
	// 40 hours every month except ref-3: 5 months of 40 but 200 in total.
	g.employ(ps[PersonaFailsTotalHours].CPR, demo.PUnits[2], longAgo, time.Time{}, 9.25, 190, func(j int) float64 {
		if j == 9 {
			return 0
		}
		return 40
	})
	// Seasonal: 160 hours in ref-12, ref-11, ref-6 and ref-5 only.
	g.employ(ps[PersonaFailsMonthlyHours].CPR, seasonal.PUnits[0], longAgo, time.Time{}, 37, 175, func(j int) float64 {
		if j == 0 || j == 1 || j == 6 || j == 7 {
			return 160
		}
		return 0
	})
	// Employed until the end of ref-5, then unemployed.
	g.employ(ps[PersonaUnemployedMember].CPR, demo.PUnits[2], longAgo, lastDay(ref.AddMonths(-5)), 37, 230, fullTime)
	g.ds.Memberships = append(g.ds.Memberships,
		registers.Membership{CPR: ps[PersonaUnemployedMember].CPR, AKasse: demoAKasseCVR, Unemployed: true},
		registers.Membership{CPR: ps[PersonaEmployee].CPR, AKasse: demoAKasseCVR})
}

// --- companies -----------------------------------------------------------

func (g *gen) akasser() {
	for _, name := range akasseNames[:6] {
		p := g.municipality()
		c := g.cvr()
		addr := g.address(p)
		g.ds.Companies = append(g.ds.Companies, registers.Company{CVR: c, Name: name, Form: "Forening", Address: addr,
			PUnits: []registers.PUnit{{PNumber: g.pnumber(), CVR: c, Name: name, Address: addr, Municipality: ids.MustMunicipality(p.code)}}})
		g.ds.AKasser = append(g.ds.AKasser, registers.AKasse{CVR: c, Name: name})
	}
}

func (g *gen) companies() {
	for range g.cfg.Companies {
		form := "ApS"
		switch n := g.r.IntN(100); {
		case n < 25:
			form = "A/S"
		case n < 35:
			form = "I/S"
		}
		var name string
		if g.r.IntN(2) == 0 {
			name = pick(g.r, surnames) + " " + pick(g.r, trades) + " " + form
		} else {
			name = pick(g.r, companyWords) + " " + pick(g.r, trades) + " " + form
		}
		hq := g.municipality()
		c := registers.Company{CVR: g.cvr(), Name: name, Form: form, Address: g.address(hq)}
		n := 1
		switch x := g.r.IntN(100); {
		case x < 50:
		case x < 70:
			n = 2
		case x < 85:
			n = 3
		case x < 93:
			n = 4
		default:
			n = 5
		}
		for k := range n {
			p, addr, uname := hq, c.Address, name
			if k > 0 {
				p = g.municipality()
				addr = g.address(p)
				uname = name + " – " + p.town
			}
			u := registers.PUnit{PNumber: g.pnumber(), CVR: c.CVR, Name: uname, Address: addr, Municipality: ids.MustMunicipality(p.code)}
			c.PUnits = append(c.PUnits, u)
			g.byMuni[p.code] = append(g.byMuni[p.code], u)
			g.units = append(g.units, u)
		}
		g.ds.Companies = append(g.ds.Companies, c)
	}
}

// --- persons -------------------------------------------------------------

func (g *gen) persons() {
	first := len(g.ds.Persons)
	n := g.cfg.Persons - first

	// Municipalities: at least 3 persons each, the rest by population
	// (largest remainder), then shuffled over the persons.
	const floor = 3
	total := g.cum[len(g.cum)-1]
	rest := n - floor*len(places)
	alloc := make([]int, len(places))
	type rem struct{ i, r int }
	rems := make([]rem, len(places))
	used := 0
	for i, p := range places {
		alloc[i] = floor + rest*p.population/total
		used += alloc[i]
		rems[i] = rem{i, rest * p.population % total}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for k := 0; used < n; k++ {
		alloc[rems[k%len(rems)].i]++
		used++
	}
	muni := make([]place, 0, n)
	for i, c := range alloc {
		for range c {
			muni = append(muni, places[i])
		}
	}
	g.r.Shuffle(len(muni), func(i, j int) { muni[i], muni[j] = muni[j], muni[i] })

	refFirst := g.ref.First()
	for i := range n {
		female := g.r.IntN(2) == 0
		ageDays := 18*365 + g.r.IntN(49*365)
		birth := refFirst.AddDate(0, 0, -ageDays)
		cpr := g.cpr(birth, female, g.r.IntN(1000) < permilleModulus11)
		given := pick(g.r, maleNames)
		if female {
			given = pick(g.r, femaleNames)
		}
		if g.r.IntN(4) == 0 {
			given += " " + pick(g.r, middleNames)
		}
		p := muni[i]
		g.ds.Persons = append(g.ds.Persons, registers.Person{
			CPR: cpr, Name: given + " " + pick(g.r, surnames), Address: g.address(p),
			Residence:         registers.Residence{Municipality: ids.MustMunicipality(p.code)},
			PreferredLanguage: registers.LanguageDanish,
		})
	}

	all := make([]int, n)
	big := make([]int, 0, n) // persons in municipalities large enough to lose some abroad
	for i := range n {
		all[i] = first + i
		if muni[i].population >= 20 {
			big = append(big, first+i)
		}
	}
	ps := g.ds.Persons
	isAbroad := map[int]bool{}
	for _, i := range g.choose(big, share(n, permilleAbroad)) {
		a := pick(g.r, abroad)
		ps[i].Residence = registers.Residence{Country: a.country}
		ps[i].Address = registers.Address{Street: a.street + " " + strconv.Itoa(1+g.r.IntN(80)), PostalCode: a.postal, City: a.city, Country: a.country}
		isAbroad[i] = true
	}
	for _, i := range g.choose(all, share(n, permilleDPExempt)) {
		ps[i].DigitalPostExempt = true
	}
	for _, i := range g.choose(all, share(n, permilleNemSMS)) {
		ps[i].NemSMS = "+45" + pick(g.r, mobilePrefixes) + g.digits(6)
	}
	for _, i := range g.choose(all, share(n, permilleEnglish)) {
		ps[i].PreferredLanguage = registers.LanguageEnglish
	}
	for _, i := range g.choose(all, share(n, permilleRepresented)) {
		holder := all[g.r.IntN(n)]
		for holder == i {
			holder = all[g.r.IntN(n)]
		}
		kind := registers.RepresentativePowerOfAttorney
		if g.r.IntN(2) == 0 {
			kind = registers.RepresentativeGuardian
		}
		ps[i].Representatives = []registers.Representative{{CPR: ps[holder].CPR, Kind: kind}}
	}
	home := make([]int, 0, n)
	for _, i := range all {
		if !isAbroad[i] {
			home = append(home, i)
		}
	}
	for _, i := range g.choose(home, share(n, permilleMoved)) {
		prev := g.municipality()
		for prev.code == ps[i].Residence.Municipality.Number() {
			prev = g.municipality()
		}
		ps[i].History = []registers.Residence{{Municipality: ids.MustMunicipality(prev.code)}}
		ps[i].Residence.From = refFirst.AddDate(0, 0, -1-g.r.IntN(730))
	}

	// Working life: exact counts per category among those living in Denmark;
	// everyone abroad is a cross-border employee.
	cat := make(map[int]category, n)
	pool := g.choose(home, len(home))
	for _, c := range []struct {
		cat      category
		permille int
	}{
		{catSelfEmployed, permilleSelfEmployed}, {catUnemployed, permilleUnemployed}, {catNoIncome, permilleNoIncome},
		{catFailTotal, permilleFailTotal}, {catFailMonths, permilleFailMonths}, {catFailBoth, permilleFailBoth},
	} {
		k := share(n, c.permille)
		for _, i := range pool[:k] {
			cat[i] = c.cat
		}
		pool = pool[k:]
	}
	for _, i := range all {
		g.working(i, cat[i])
	}
}

// workplace returns a P-unit near the person (70 % in the home
// municipality when it has one), else anywhere.
func (g *gen) workplace(p registers.Person) registers.PUnit {
	if !p.Residence.Abroad() && g.r.IntN(10) < 7 {
		if local := g.byMuni[p.Residence.Municipality.Number()]; len(local) > 0 {
			return pick(g.r, local)
		}
	}
	return pick(g.r, g.units)
}

func (g *gen) working(i int, c category) {
	p := g.ds.Persons[i]
	adult := p.CPR.BirthDate().AddDate(18, 0, 0)
	start := g.ref.First().AddDate(0, -(13 + g.r.IntN(228)), -g.r.IntN(28))
	if g.r.IntN(100) < 12 { // started within the last 12 months
		start = g.ref.First().AddDate(0, -g.r.IntN(12), -g.r.IntN(28))
	}
	if start.Before(adult) {
		start = adult
	}
	wage := 150 + g.r.IntN(300)
	member := func(unemployed bool) {
		a := pick(g.r, g.ds.AKasser)
		g.ds.Memberships = append(g.ds.Memberships, registers.Membership{CPR: p.CPR, AKasse: a.CVR, Unemployed: unemployed})
	}

	switch c {
	case catSelfEmployed:
		trade := pick(g.r, trades)
		muni := placeByCode[p.Residence.Municipality.Number()]
		cvr := g.cvr()
		addr := g.address(muni)
		name := p.Name + " " + trade
		g.ds.Companies = append(g.ds.Companies, registers.Company{CVR: cvr, Name: name, Form: "Enkeltmandsvirksomhed", Address: addr, Owner: p.CPR,
			PUnits: []registers.PUnit{{PNumber: g.pnumber(), CVR: cvr, Name: name, Address: addr, Municipality: p.Residence.Municipality}}})
		if g.r.IntN(100) < percentSelfEmployedIns {
			member(false)
		}
	case catNoIncome:
	case catUnemployed:
		end := lastDay(g.ref.AddMonths(-2 - g.r.IntN(9)))
		if !start.Before(end) {
			start = end.AddDate(-1, 0, 0)
		}
		base := 150 + float64(g.r.IntN(16))
		g.employ(p.CPR, g.workplace(p), start, end, 37, wage, func(int) float64 { return base })
		member(true)
	case catFailTotal:
		gap := 6 + g.r.IntN(6)
		g.employ(p.CPR, g.workplace(p), g.ref.AddMonths(-24).First(), time.Time{}, 10, wage, func(j int) float64 {
			if j == gap {
				return 0
			}
			return float64(40 + g.r.IntN(8))
		})
	case catFailMonths:
		on := g.choose([]int{6, 7, 8, 9, 10, 11}, 2+g.r.IntN(3))
		g.employ(p.CPR, g.workplace(p), g.ref.AddMonths(-36).First(), time.Time{}, 37, wage, func(j int) float64 {
			if j < 6 && g.r.IntN(2) == 0 || slices.Contains(on, j) {
				return float64(120 + g.r.IntN(46))
			}
			return 0
		})
	case catFailBoth:
		g.employ(p.CPR, g.workplace(p), start, time.Time{}, 6, wage, func(int) float64 { return float64(10 + g.r.IntN(26)) })
	default: // catEmployed
		weekly, base := 37.0, 150+float64(g.r.IntN(16))
		if g.r.IntN(4) == 0 {
			weekly = float64(15 + g.r.IntN(16))
			base = math.Round(weekly * 4.33)
		}
		g.employ(p.CPR, g.workplace(p), start, time.Time{}, weekly, wage, func(int) float64 {
			return base + float64(g.r.IntN(5)-2) + 0.5*float64(g.r.IntN(2))
		})
		if g.r.IntN(1000) < permilleSecondJob {
			g.employ(p.CPR, pick(g.r, g.units), start, time.Time{}, 5, 130+g.r.IntN(100), func(int) float64 { return float64(10 + g.r.IntN(31)) })
		}
		if g.r.IntN(1000) < permilleMember {
			member(false)
		}
	}
}
