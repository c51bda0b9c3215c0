package synth

import (
	"errors"
	"fmt"

	"nemrefusion.dk/infra/registers"
)

// Default sizes of a dataset.
const (
	DefaultPersons   = 10000
	DefaultCompanies = 600
	// MinPersons and MinCompanies keep every municipality and every kind of
	// person present.
	MinPersons   = 1000
	MinCompanies = 50
)

// Config says what to generate. The same Config always gives the same
// Dataset.
type Config struct {
	// Seed seeds the PCG generator.
	Seed uint64
	// Persons is the number of persons, personas included (at least MinPersons).
	Persons int
	// Companies is the number of ordinary companies (at least
	// MinCompanies); a-kasser, the persona companies and the
	// self-employed's sole proprietorships come on top.
	Companies int
	// Reference is the reference month: income runs for the 12 months
	// before it, ending with the month before.
	Reference registers.Month
}

// DefaultConfig returns the default sizes with the given seed and
// reference month.
func DefaultConfig(seed uint64, reference registers.Month) Config {
	return Config{Seed: seed, Persons: DefaultPersons, Companies: DefaultCompanies, Reference: reference}
}

// ErrConfig is returned by Generate for an unusable Config.
var ErrConfig = errors.New("synth: invalid config")

func (c Config) validate() error {
	switch {
	case c.Persons < MinPersons:
		return fmt.Errorf("%w: %d persons, at least %d needed", ErrConfig, c.Persons, MinPersons)
	case c.Companies < MinCompanies:
		return fmt.Errorf("%w: %d companies, at least %d needed", ErrConfig, c.Companies, MinCompanies)
	case c.Reference.IsZero():
		return fmt.Errorf("%w: reference month missing", ErrConfig)
	case c.Reference.Year() < 2000 || c.Reference.Year() > 2100:
		return fmt.Errorf("%w: reference month %s out of range", ErrConfig, c.Reference)
	}
	return nil
}
