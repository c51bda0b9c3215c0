// Package schemas embeds the public contract: one JSON Schema (2020-12) per
// event type, named after the type without its "dk.nemrefusion." prefix
// (system.probe.requested.v1.json), with an example of each under examples/
// and the AsyncAPI document asyncapi.yaml. The schema's $id is its dataschema
// URI (https://schemas.nemrefusion.dk/<file>).
package schemas

import "embed"

// FS holds every schema (*.json at the root), the examples and asyncapi.yaml.
//
//go:embed *.json examples/*.json asyncapi.yaml
var FS embed.FS
