package providers

import (
	"time"

	"github.com/eddns/eddns/httpc"
)

// Clock is httpc.Clock: the signing clock of one provider endpoint.
type Clock = httpc.Clock

// NewClock returns a clock reading now (nil: time.Now).
func NewClock(now func() time.Time) *Clock { return httpc.NewClock(now) }
