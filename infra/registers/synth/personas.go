package synth

import (
	"nemrefusion.dk/events/ids"
)

// Persona keys. Every dataset holds these persons and companies, whatever
// the seed; their income is placed relative to the dataset's reference
// month so that a first absence day in the reference month gives the
// outcome the key names.
const (
	// PersonaEmployee is a full-time employee of the demo employer who
	// meets the employment requirement. Lives in København.
	PersonaEmployee = "employee"
	// PersonaFailsTotalHours has at least 40 hours in 5 of the last 6
	// months but only 200 hours in total (fails the 240-hour rule).
	PersonaFailsTotalHours = "fails-total-hours"
	// PersonaFailsMonthlyHours has over 240 hours but at least 40 hours in
	// only 2 of the last 6 months (seasonal work; fails the 5-months rule).
	PersonaFailsMonthlyHours = "fails-monthly-hours"
	// PersonaNoIncome has no income at all in eIndkomst.
	PersonaNoIncome = "no-income"
	// PersonaAbroad lives in Sweden and works at the demo employer's
	// P-unit in Helsingør (reports go to Helsingør).
	PersonaAbroad = "abroad"
	// PersonaDigitalPostExempt is exempt from Digital Post (letters on paper).
	PersonaDigitalPostExempt = "digital-post-exempt"
	// PersonaNemSMS is signed up for NemSMS.
	PersonaNemSMS = "nemsms"
	// PersonaEnglish prefers English.
	PersonaEnglish = "english"
	// PersonaSelfEmployed owns a sole proprietorship with its own CVR.
	PersonaSelfEmployed = "self-employed"
	// PersonaUnemployedMember is an unemployed member of the demo a-kasse.
	PersonaUnemployedMember = "akasse-unemployed"
	// PersonaRepresented has given power of attorney to PersonaEmployee.
	PersonaRepresented = "represented"
	// PersonaMoved moved from København to Roskilde on the 15th of the
	// month before the reference month.
	PersonaMoved = "moved"
	// PersonaEmployer is the demo employer (A/S) with P-units in
	// København, Helsingør and Aarhus.
	PersonaEmployer = "employer"
	// PersonaSeasonalEmployer is the employer of PersonaFailsMonthlyHours.
	PersonaSeasonalEmployer = "seasonal-employer"
	// PersonaAKasse is the demo a-kasse.
	PersonaAKasse = "akasse"
)

// Persona is a named test person or company present in every dataset.
type Persona struct {
	// Key is one of the Persona* constants.
	Key string `json:"key"`
	// Description says in one English sentence what the persona is for.
	Description string `json:"description"`
	// CPR is the person's number; zero for company personas.
	CPR ids.CPR `json:"cpr,omitzero"`
	// CVR is the company: the employer, the own company of the
	// self-employed, the a-kasse of the member, or the company persona.
	CVR ids.CVR `json:"cvr,omitzero"`
	// PNumber is the workplace (or the company persona's first P-unit).
	PNumber ids.PNumber `json:"pnumber,omitzero"`
}

// Fixed numbers of the persona companies and P-units. The generator never
// hands these out to anyone else.
var (
	demoEmployerCVR = ids.MustCVR("30000005")
	seasonalCVR     = ids.MustCVR("31000009")
	selfEmployedCVR = ids.MustCVR("32000002")
	demoAKasseCVR   = ids.MustCVR("33000006")

	demoPKobenhavn = ids.MustPNumber("1000000001")
	demoPHelsingor = ids.MustPNumber("1000000002")
	demoPAarhus    = ids.MustPNumber("1000000003")
	selfEmployedP  = ids.MustPNumber("1000000004")
	akasseP        = ids.MustPNumber("1000000005")
	seasonalP      = ids.MustPNumber("1000000006")
)

// Personas returns the fixed personas, in a stable order.
func Personas() []Persona {
	return []Persona{
		{Key: PersonaEmployee, CPR: ids.MustCPR("1203854321"), CVR: demoEmployerCVR, PNumber: demoPKobenhavn,
			Description: "Full-time employee of the demo employer who meets the employment requirement; lives in København."},
		{Key: PersonaFailsTotalHours, CPR: ids.MustCPR("0207904322"), CVR: demoEmployerCVR, PNumber: demoPAarhus,
			Description: "Part-time employee with 40 hours in 5 of the last 6 months but only 200 hours in total: fails the 240-hour rule."},
		{Key: PersonaFailsMonthlyHours, CPR: ids.MustCPR("1811924323"), CVR: seasonalCVR, PNumber: seasonalP,
			Description: "Seasonal worker with 320 hours but only 2 months of at least 40 hours: fails the 5-months rule."},
		{Key: PersonaNoIncome, CPR: ids.MustCPR("2505884324"),
			Description: "Person with no income at all in eIndkomst."},
		{Key: PersonaAbroad, CPR: ids.MustCPR("0906804325"), CVR: demoEmployerCVR, PNumber: demoPHelsingor,
			Description: "Lives in Malmö, Sweden and works at the demo employer's Helsingør P-unit: reports go to Helsingør."},
		{Key: PersonaDigitalPostExempt, CPR: ids.MustCPR("1410504326"), CVR: demoEmployerCVR, PNumber: demoPAarhus,
			Description: "Employee exempt from Digital Post: letters go on paper; lives in Odense."},
		{Key: PersonaNemSMS, CPR: ids.MustCPR("2212934327"), CVR: demoEmployerCVR, PNumber: demoPAarhus,
			Description: "Employee signed up for NemSMS; lives in Aarhus."},
		{Key: PersonaEnglish, CPR: ids.MustCPR("0304954328"), CVR: demoEmployerCVR, PNumber: demoPKobenhavn,
			Description: "Employee who prefers English; lives in Frederiksberg."},
		{Key: PersonaSelfEmployed, CPR: ids.MustCPR("1707754329"), CVR: selfEmployedCVR, PNumber: selfEmployedP,
			Description: "Self-employed carpenter with a sole proprietorship (own CVR); lives in Vejle."},
		{Key: PersonaUnemployedMember, CPR: ids.MustCPR("3001894330"), CVR: demoAKasseCVR, PNumber: akasseP,
			Description: "Unemployed member of the demo a-kasse, whose job at the demo employer ended 4 months before the reference month; lives in Aalborg."},
		{Key: PersonaRepresented, CPR: ids.MustCPR("0808404331"),
			Description: "Retired person who has given power of attorney to the employee persona; lives in Gentofte."},
		{Key: PersonaMoved, CPR: ids.MustCPR("1909874333"), CVR: demoEmployerCVR, PNumber: demoPKobenhavn,
			Description: "Employee who moved from København to Roskilde on the 15th of the month before the reference month."},
		{Key: PersonaEmployer, CVR: demoEmployerCVR, PNumber: demoPKobenhavn,
			Description: "Demo employer (A/S) with P-units in København, Helsingør and Aarhus."},
		{Key: PersonaSeasonalEmployer, CVR: seasonalCVR, PNumber: seasonalP,
			Description: "Seasonal employer (holiday-home service) in Ringkøbing-Skjern."},
		{Key: PersonaAKasse, CVR: demoAKasseCVR, PNumber: akasseP,
			Description: "Demo a-kasse."},
	}
}

// PersonaByKey returns the persona with the given key.
func PersonaByKey(key string) (Persona, bool) {
	for _, p := range Personas() {
		if p.Key == key {
			return p, true
		}
	}
	return Persona{}, false
}
