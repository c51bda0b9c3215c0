// Package schemas embeds the public contract: one JSON Schema (2020-12) per
// event type, named after the type without its "dk.nemrefusion." prefix
// (system.probe.requested.v1.json), with an example of each under examples/
// and the AsyncAPI document asyncapi.yaml. The schema's $id is its dataschema
// URI (https://schemas.nemrefusion.dk/<file>).
//
// Formats are asserted. "date" and "date-time" mean an RFC 3339 date within
// 1900-01-01 and 2199-12-31 (nemrefusion.dk/events.MinDate and MaxDate):
// years such as 0 and 9999 are refused with a field error "date-range".
// The deadlines of the law, counted from the day a report is received,
// are rules of the functions, not of the schemas.
package schemas

import "embed"

// FS holds every schema (*.json at the root), the examples and asyncapi.yaml.
//
//go:embed *.json examples/*.json asyncapi.yaml
var FS embed.FS
