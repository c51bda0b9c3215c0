package registers

import (
	"context"
	"errors"

	"nemrefusion.dk/events/ids"
)

// PersonRegister looks persons up in CPR.
type PersonRegister interface {
	// Person returns the person with the given CPR number. It returns an
	// error matching ErrNotFound when CPR has no such person, and an error
	// matching ErrUnavailable when the register cannot be reached.
	Person(ctx context.Context, cpr ids.CPR) (Person, error)
}

// CompanyRegister looks companies and production units up in CVR.
type CompanyRegister interface {
	// Company returns the company with the given CVR number and all its
	// P-units. Errors match ErrNotFound or ErrUnavailable as for Person.
	Company(ctx context.Context, cvr ids.CVR) (Company, error)
	// PUnit returns the production unit with the given P-number. Errors
	// match ErrNotFound or ErrUnavailable as for Person.
	PUnit(ctx context.Context, p ids.PNumber) (PUnit, error)
}

// IncomeRegister reads monthly income and hours from eIndkomst.
type IncomeRegister interface {
	// Income returns every income month of the person from month from to
	// month to, both included, for all employers, ordered by month and then
	// employer CVR. A person with no income in the period gets an empty
	// slice and no error; ErrNotFound means CPR has no such person. Errors
	// match ErrUnavailable when the register cannot be reached.
	Income(ctx context.Context, cpr ids.CPR, from, to Month) ([]IncomeMonth, error)
}

// MembershipRegister reads a-kasse memberships (the a-kasser's shared
// membership register).
type MembershipRegister interface {
	// Membership returns the person's current a-kasse membership. It returns
	// an error matching ErrNotFound when the person is a member of no
	// a-kasse (or CPR has no such person), and an error matching
	// ErrUnavailable when the register cannot be reached.
	Membership(ctx context.Context, cpr ids.CPR) (Membership, error)
}

// ErrNotFound means the register answered and has no such record.
var ErrNotFound = errors.New("registers: not found")

// ErrUnavailable matches every *UnavailableError with errors.Is. Callers
// answer 503 (or let the broker retry): the register is down or slow, the
// input may well be fine.
var ErrUnavailable = errors.New("registers: register unavailable")

// UnavailableError says which register could not be reached and why. It
// matches ErrUnavailable with errors.Is.
type UnavailableError struct {
	// Register names the register: "cpr", "cvr" or "eindkomst".
	Register string
	// Err is the transport error or a description of the bad answer.
	Err error
}

// Error names the register and the cause.
func (e *UnavailableError) Error() string {
	return "registers: " + e.Register + " unavailable: " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }
