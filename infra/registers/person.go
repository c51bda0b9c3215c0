package registers

import "nemrefusion.dk/functions/kernel/records"

// The person records of CPR are plain data of the domain kernel (package
// records), where the recipient and employment rules read them; these
// aliases keep the adapters (client, standin, synth, cache) naming them
// registers.Person and so on.
type (
	// Person is what CPR says about one person.
	Person = records.Person
	// Address is a postal address.
	Address = records.Address
	// Residence is one period of living in a municipality or abroad.
	Residence = records.Residence
	// Representative is someone who may act for a person.
	Representative = records.Representative
)

// Languages a person may prefer.
const (
	LanguageDanish  = records.LanguageDanish
	LanguageEnglish = records.LanguageEnglish
)

// Representative kinds.
const (
	RepresentativeGuardian        = records.RepresentativeGuardian
	RepresentativePowerOfAttorney = records.RepresentativePowerOfAttorney
)
