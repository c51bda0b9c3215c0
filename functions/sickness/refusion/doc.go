// Package refusion holds the pure domain of sickness refusion
// (sygedagpengerefusion) for the sickness function: the employer period
// (arbejdsgiverperiode), report deadlines, the late-report rules, the maximum
// rates as data, and the smaller rules of sygedagpengeloven the function applies.
//
// The package does no I/O. Every rule is a small function that returns, next to
// its result, the Reason it was decided by (rule id, law, Danish and English
// text, inputs and result), so that a decision can be written to the ledger and
// explained after the fact. Money is counted in øre (Money, an int64) and
// dates are calendar dates (Date) without time of day or zone.
package refusion
