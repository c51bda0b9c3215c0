// Package registers is the system's view of the Danish base registers it
// reads (executive order § 1 stk. 7): CPR (persons, addresses, municipality
// of residence), CVR (companies and their production units) and eIndkomst
// (monthly income and hours per employer). It declares the small interfaces the
// rest of the system depends on, over the register records of the domain
// kernel (nemrefusion.dk/functions/kernel/records, aliased here as Person,
// PUnit, IncomeMonth, Month and so on); the packages below implement them:
//
//   - synth: a deterministic synthetic Denmark (persons, companies,
//     a-kasser, employments, income) with well-known personas;
//   - standin: an http.Handler serving that data as the registers' JSON API;
//   - client: the production HTTP/JSON clients of that API.
//
// The pure rules on register data (routing to a recipient, the employment
// requirement, the relations behind a look-up) are the kernel's package
// nemrefusion.dk/functions/kernel/rules.
//
// Nothing here touches Postgres or Redis. Register data is personal data:
// never log names, addresses or full CPR numbers.
package registers
