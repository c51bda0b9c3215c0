// Package load generates load on a running NemRefusion stack: a realistic
// mix of sickness blankets for the synthetic Denmark (employers' reports for
// their current employees, recoveries on absences reported earlier in the
// run, early follow-up requests, self-employed people's and a-kasser's
// reports), posted as CloudEvents to the public origin, and the sick
// employees' answers to their comment task in Mit Sygefravær, at a given
// rate or as fast as the workers allow, for a given count or duration,
// both capped.
//
// Tokens come from the development issuer: the dev CLI client gets a
// persona's token for the tenant it names (cvr, cpr), because the synthetic
// companies and people have no clients of their own (infra/devissuer
// README). Parental-leave and subsidy blankets are not in the mix yet.
//
// Run returns what the client saw: per endpoint the requests, statuses and
// latency percentiles, and a classification of every answer (success, a
// clear 4xx with problem JSON, a retryable 503/429 with Retry-After, or
// something unclear). Follow measures what happened after intake from the
// functions' tables: each accepted submission decided or rejected by the
// sickness function, and the lag from submission to the item in the
// recipient's delivery stream. nrctl load and the system benchmark and
// fault tests (tests/load, tests/faults) use it.
package load
