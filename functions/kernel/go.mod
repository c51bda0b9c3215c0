module nemrefusion.dk/functions/kernel

go 1.26.8

require nemrefusion.dk/events v0.0.0

require (
	github.com/cloudevents/sdk-go/v2 v2.16.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/json-iterator/go v1.1.12 // indirect
	github.com/modern-go/concurrent v0.0.0-20180306012644-bacd9c7ef1dd // indirect
	github.com/modern-go/reflect2 v1.0.2 // indirect
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	go.uber.org/zap v1.27.0 // indirect
	golang.org/x/text v0.14.0 // indirect
	nemrefusion.dk/schemas v0.0.0-00010101000000-000000000000 // indirect
)

replace (
	nemrefusion.dk/events => ../../events
	nemrefusion.dk/schemas => ../../schemas
)
