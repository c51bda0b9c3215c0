//go:build !race

package synth

// raceEnabled is true under -race, where timings mean nothing.
const raceEnabled = false
