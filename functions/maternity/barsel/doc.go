// Package barsel holds the pure domain of parental-leave refusion
// (refusion af barselsdagpenge, barselsloven §§ 39–40) for the maternity
// function: which leave periods a request covers and when each expires
// (§ 40 stk. 3: after one week without absence giving right to refusion),
// the 8-week deadline after a leave period expires and the right lapsing
// after it (§ 40 stk. 2), the amount (§ 39: the barselsdagpenge the
// employee would have had, at most the maximum rate of the year, and at
// most the wages paid), and no refusion for preventive pregnancy
// examinations (§ 40 stk. 5).
//
// The package does no I/O. Every rule returns its kernel.Reason (rule id,
// law, source, Danish and English text, inputs, result), so a decision can
// be written to the ledger and explained later. Money, dates and the table
// of maximum rates are the domain kernel's (nemrefusion.dk/functions/kernel:
// øre as integers, calendar dates): the barselsdagpenge maximum is the
// sygedagpenge maximum of the year (DOMAIN.md, Parental leave).
package barsel
