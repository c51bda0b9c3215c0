module nemrefusion.dk/functions/subsidy

go 1.26.8

replace (
	nemrefusion.dk/events => ../../events
	nemrefusion.dk/functions/sickness => ../sickness
	nemrefusion.dk/infra => ../../infra
	nemrefusion.dk/schemas => ../../schemas
)
