// Package rules holds pure domain rules on register data: which authority
// receives a report (RecipientFor) and whether a person meets the
// employment requirement for sygedagpenge (EmploymentRequirement). No I/O:
// callers fetch the register data and pass it in.
//
// Every result explains itself: the rule applied, its legal or official
// source, the inputs it used, and the same explanation in Danish and
// English, so a decision can be shown to users and audited afterwards.
package rules
