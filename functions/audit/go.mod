module nemrefusion.dk/functions/audit

go 1.26.8

require (
	nemrefusion.dk/events v0.0.0
	nemrefusion.dk/infra v0.0.0
)

replace (
	nemrefusion.dk/events => ../../events
	nemrefusion.dk/infra => ../../infra
)
