// Package ids holds the Danish identifiers the whole system exchanges: CPR
// numbers (personnummer), CVR numbers, P-numbers (produktionsenhedsnummer),
// municipalities (kommunekoder) and recipients (a municipality or
// Udbetaling Danmark).
//
// Every type has a validating Parse function and marshals to and from JSON
// as a string. The zero value of every type means "not set"; it is never a
// valid identifier. The package does no I/O and imports nothing from the
// rest of the system, so the contract types in package events may use it.
//
// Parse errors are *Error values with a stable code and the same message in
// Danish and English, in the shape of events.FieldError (only the field
// name is missing: the caller knows it). They never contain the rejected
// value, which may be personal data.
package ids
