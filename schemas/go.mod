module nemrefusion.dk/schemas

go 1.26.8
