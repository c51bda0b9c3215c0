// Package synth generates a synthetic Denmark for development, demos and
// tests: persons in all 98 municipalities, companies with P-units,
// a-kasser, employments and twelve months of eIndkomst income, all
// deterministic from a seed (math/rand/v2 PCG). Nothing in it is real: the
// names come from short lists of common Danish names, the numbers are
// generated (CPR numbers with and without the modulus-11 check, CVR numbers
// with a valid check), and the population figures used for weighting are
// rounded approximations.
//
// A Dataset implements registers.PersonRegister, registers.CompanyRegister
// and registers.IncomeRegister in memory; package standin serves it over
// HTTP. A fixed set of personas (Personas) is present in every dataset,
// whatever the seed, so demos and tests can name them.
package synth
