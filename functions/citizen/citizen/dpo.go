package citizen

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"nemrefusion.dk/events/ids"
)

// dpoView is the municipality's data protection officer link shown on
// every page of Mit Sygefravær (seeds/003, "Orientering om behandling af
// persondata"). Href is the delivery function's public route for it; URL is
// the link itself when this function could fetch it.
type dpoView struct {
	Municipality string `json:"municipality"`
	Name         string `json:"name"`
	Href         string `json:"href"`
	URL          string `json:"url,omitempty"`
	// Seed is the synthetic municipality's link (development only), for
	// when neither URL nor Href gives one: the administrator's setting wins.
	Seed string `json:"seed,omitempty"`
}

// dpoLinks fetches the DPO links from the delivery function (when a base URL
// is configured) and keeps them for five minutes. With a seed (the synthetic
// municipalities of development) every view also names the seed's link.
type dpoLinks struct {
	base   string
	seed   func(municipality int) (string, bool)
	client *http.Client
	mu     sync.Mutex
	cache  map[string]dpoCached
}

type dpoCached struct {
	url string
	at  time.Time
}

func newDPOLinks(base string, seed func(municipality int) (string, bool)) *dpoLinks {
	return &dpoLinks{base: strings.TrimSuffix(base, "/"), seed: seed, client: &http.Client{Timeout: 2 * time.Second}, cache: map[string]dpoCached{}}
}

// seeded names the seed's link of v's municipality.
func (d *dpoLinks) seeded(v dpoView) dpoView {
	if d.seed == nil {
		return v
	}
	if m, err := ids.ParseMunicipality(v.Municipality); err == nil {
		v.Seed, _ = d.seed(m.Number())
	}
	return v
}

// view returns the link of municipality no; a failure to fetch leaves URL
// empty (the page still names where to find it).
func (d *dpoLinks) view(ctx context.Context, no string) dpoView {
	v := dpoView{Municipality: no, Href: "/api/v1/admin/municipalities/" + no + "/dpo"}
	if m, err := ids.ParseMunicipality(no); err == nil {
		v.Name = m.Name()
	}
	if d.base == "" {
		return d.seeded(v)
	}
	d.mu.Lock()
	c, ok := d.cache[no]
	d.mu.Unlock()
	if ok && time.Since(c.at) < 5*time.Minute {
		v.URL = c.url
		return d.seeded(v)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+v.Href, nil)
	if err != nil {
		return v
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return d.seeded(v)
	}
	defer resp.Body.Close()
	var out struct {
		URL string `json:"url"`
	}
	if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&out) == nil {
		v.URL = out.URL
	}
	if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotFound {
		d.mu.Lock()
		d.cache[no] = dpoCached{url: v.URL, at: time.Now()}
		d.mu.Unlock()
	}
	return d.seeded(v)
}
