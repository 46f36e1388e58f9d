package providers

import "sync"

// ZoneCache remembers zone ids looked up by zone name, for APIs that
// address zones by id (Cloudflare, Huawei Cloud): the lookup costs one
// request per zone for the provider's lifetime. The zero value is ready.
type ZoneCache struct {
	mu  sync.Mutex
	ids map[string]string
}

// ID returns zone's id, calling lookup the first time (and again after a
// failed lookup, which is not cached).
func (c *ZoneCache) ID(zone string, lookup func() (string, error)) (string, error) {
	c.mu.Lock()
	id, ok := c.ids[zone]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := lookup()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.ids == nil {
		c.ids = map[string]string{}
	}
	c.ids[zone] = id
	c.mu.Unlock()
	return id, nil
}
