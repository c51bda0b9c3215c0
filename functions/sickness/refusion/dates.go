package refusion

import "nemrefusion.dk/functions/kernel"

// maxDate returns the later of a and b.
func maxDate(a, b kernel.Date) kernel.Date {
	if a.After(b) {
		return a
	}
	return b
}

func datePtr(d kernel.Date) *kernel.Date { return &d }
