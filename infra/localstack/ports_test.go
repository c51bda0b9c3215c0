package localstack

import (
	"net"
	"strconv"
	"testing"
)

// The test stack gives each function and its metrics listener a port of
// its own: freePort closed each port before asking for the next, so the
// kernel could hand the same one out twice and a function then never
// started ("bind: address already in use", seen in make test).
func TestFreePortsAreDistinctBindableAndOutsideTheEphemeralRange(t *testing.T) {
	ports, err := freePorts(64)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if seen[p] {
			t.Fatalf("port %d given twice", p)
		}
		seen[p] = true
		if p < 20000 || p >= 32000 {
			t.Fatalf("port %d outside 20000–32000", p)
		}
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d is not free after freePorts: %v", p, err)
		}
		_ = ln.Close()
	}
}
