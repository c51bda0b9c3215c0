// Package events is the public contract of NemRefusion: every CloudEvent type
// name, the Go type of every event's data, the constructors that set the
// attributes the architecture requires (dataschema, partitionkey,
// correlationid, causationid, traceparent), and validation of data against
// the JSON Schemas in ../schemas.
//
// A change here is a change to the public contract: update the schema, the
// example and the contract test together.
package events
