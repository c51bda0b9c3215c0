// Package rules holds the pure domain rules on register data that every
// blanket family shares: which authority receives a report (RecipientFor:
// the municipality of residence at signing, the workplace's municipality
// for a person living abroad, Udbetaling Danmark for parental leave),
// whether a person meets the employment requirement for sygedagpenge
// (EmploymentRequirement, sygedagpengeloven § 32), and which relation lets
// an employer, an a-kasse or a municipality look a person up (Employs,
// MemberOf, ResidentIn). No I/O: callers fetch the register records
// (package records) and pass them in.
//
// Every result explains itself: the rule applied, its legal or official
// source, the inputs it used, and the same explanation in Danish and
// English, so a decision can be shown to users and audited afterwards.
package rules
