// Package records holds the plain data of the base registers that the
// domain rules read: a person and their residences in CPR, a production
// unit (P-enhed) in CVR, a month of income in eIndkomst, an a-kasse
// membership, and the calendar Month eIndkomst counts in. Only the types
// and their pure methods live here; fetching them is the adapters' job
// (infra/registers declares the register interfaces and aliases these
// types, so the clients, the stand-in and the synthetic data name them
// registers.Person and so on).
//
// Register data is personal data: never log names, addresses or full CPR
// numbers.
package records
