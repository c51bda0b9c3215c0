// Package refusion holds the pure domain of sickness refusion
// (sygedagpengerefusion) for the sickness function: the employer period
// (arbejdsgiverperiode), report deadlines, the late-report rules, the amount
// (§§ 47, 50 and 53), and the smaller rules of sygedagpengeloven the function
// applies. Only sickness rules live here; the value types and tables the
// other families share (Money in øre, Date, the maximum rates, Reason) are the
// domain kernel's, nemrefusion.dk/functions/kernel.
//
// The package does no I/O. Every rule is a small function that returns, next to
// its result, the kernel.Reason it was decided by (rule id, law, Danish and
// English text, inputs and result), so that a decision can be written to the
// ledger and explained after the fact.
package refusion
