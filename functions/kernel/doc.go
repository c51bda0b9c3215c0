// Package kernel is the shared domain kernel of the blanket functions: the
// value types and tables every refusion and subsidy rule is written in, and
// nothing that belongs to one family of blankets. It holds Money (øre, never
// a float), Date (a Danish calendar date), the table of maximum dagpenge
// rates per year (rates.json, each rate with its source), the labour-market
// contribution taken from hourly earnings, and Reason, the record of one
// legal rule a decision applied.
//
// The package does no I/O and imports no adapter (nothing from infra): the
// sickness, parental-leave and subsidy rules (packages refusion, barsel and
// grants) and the register rules in kernel/rules build on it, and the
// adapters depend on it, never the other way round.
package kernel
