// Package load generates load on a running NemRefusion stack: a realistic
// mix of blankets for the synthetic Denmark, posted as CloudEvents to the
// public origin — sickness blankets (employers' reports for their current
// employees, recoveries on absences reported earlier in the run, early
// follow-up requests, self-employed people's and a-kasser's reports),
// parental-leave blankets for Udbetaling Danmark (the employer's refusion
// request, the self-employed's barselsdagpenge, the a-kasse's information)
// and subsidy requests for the municipalities (wage, flexjob, job
// clarification, adult apprentice and mentor subsidy, the self-employed's
// § 136 support) — and the sick employees' answers to their comment task in
// Mit Sygefravær, at a given rate or as fast as the workers allow, for a
// given count or duration, both capped. Kinds lists the kinds, DefaultMix
// weighs them (its weights are assumptions: see there). Every blanket is
// one the functions decide: people and companies the registers know, in
// the sender's rights, within the rules' dates.
//
// Tokens come from the development issuer: the dev CLI client gets a
// persona's token for the tenant it names (cvr, cpr), because the synthetic
// companies and people have no clients of their own (infra/devissuer
// README).
//
// Run returns what the client saw: per endpoint the requests, statuses and
// latency percentiles, and a classification of every answer (success, a
// clear 4xx with problem JSON, a retryable 503/429 with Retry-After, or
// something unclear). Follow measures what happened after intake from the
// functions' tables, in total and per kind: each accepted blanket decided
// or rejected by its function (sickness, maternity or subsidy: a row in its
// blanket_submissions), and the lag from submission to the item of its
// case in the recipient's delivery stream (delivery.items). nrctl load and
// the system benchmark and fault tests (tests/load, tests/faults) use it.
package load
