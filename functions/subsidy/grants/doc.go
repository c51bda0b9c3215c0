// Package grants holds the pure rules of the subsidy blankets the subsidy
// function decides: when a wage subsidy is paid (LAB chapter 12), the
// flexjob subsidy and the self-employed's § 136 support (½ or ⅔, capped per
// year; LAB §§ 133 and 136), how far back job clarification refusion goes
// (LAS § 69 t), that the adult apprentice subsidy is paid monthly in
// arrears per hour (LAB § 159), and the length of a mentor grant (LAB
// chapter 26).
//
// The package does no I/O. Every rule returns its kernel.Reason (rule id,
// law, source, Danish and English text, inputs, result). Figures the
// sources do not give — the yearly caps — are data (caps.json, each with
// its source) and a year without one is refused with ErrNoCap, never
// guessed.
package grants
