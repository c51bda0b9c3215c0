package clamav

// EICAR returns the EICAR anti-virus test file: 68 harmless bytes every
// scanner reports as infected. Tests build it at run time from this
// function so the repository never holds it as a file (which scanners on
// developer machines would quarantine). It is assembled from two halves so
// this source file does not match the signature either.
func EICAR() []byte {
	a := `X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR`
	b := `-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*`
	return []byte(a + b)
}
