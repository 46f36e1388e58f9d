package httpc

import (
	"errors"
	"strconv"
	"sync"
	"time"
)

// ErrClockNotSet is wrapped by every error about a server certificate that
// is not yet valid at TrustedTime: on a router that booted without NTP the
// system clock, not the certificate, is the likely culprit. Nothing was sent.
var ErrClockNotSet = errors.New("system clock not set (waiting for NTP)")

// buildEpoch is the binary's build time in Unix seconds, stamped at build
// from SOURCE_DATE_EPOCH:
//
//	-ldflags "-X github.com/eddns/eddns/httpc.buildEpoch=$SOURCE_DATE_EPOCH"
var buildEpoch string

// BuildTime is when the binary was built (zero when not stamped). The true
// time cannot be earlier.
func BuildTime() time.Time {
	s, err := strconv.ParseInt(buildEpoch, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// SaveEvery is how often at most the last known good time is handed to
// TrustedTime.Save: flash wears, and an hour of doubt is harmless.
const SaveEvery = time.Hour

// TrustedTime is the time server certificates are checked at: the latest of
// the system clock, the build time and the last known good time (when a
// response was last verified, persisted across restarts by Save). A router
// whose clock restarts at an old date cannot be shown a certificate that
// expired before any of these, and a certificate that starts after all of
// them is refused as ErrClockNotSet until NTP sets the clock.
//
// The floor only ever rises, NTP or not: NTP is unauthenticated, and a
// forged answer setting the clock back must not bring back certificates
// that expired before the last verified response. (A clock once set far
// ahead raises the floor with it; deleting the saved file undoes that.)
type TrustedTime struct {
	// Now is the system clock; nil means time.Now. Set it before use.
	Now func() time.Time

	mu    sync.Mutex
	build time.Time
	floor time.Time // max(build time, last good time)
	saved time.Time // last value given to save (or loaded)
	save  func(time.Time) error
}

// NewTrustedTime returns a TrustedTime that never goes below build (the
// build time) nor the optional last known good time.
func NewTrustedTime(build time.Time, lastGood ...time.Time) *TrustedTime {
	t := &TrustedTime{build: build, floor: build}
	for _, f := range lastGood {
		t.Raise(f)
	}
	t.saved = t.floor
	return t
}

// SetSave sets how the last known good time is persisted; nil keeps it in
// memory. save is called at most once per SaveEvery, from the goroutine of a
// request, and its error ignored (losing it costs only the floor after a
// reboot).
func (t *TrustedTime) SetSave(save func(time.Time) error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.save = save
}

// DefaultTrustedTime is the process's trusted time, used by every Client
// whose Time is nil. It starts at BuildTime; the daemon raises it to the
// persisted last known good time and sets Save.
var DefaultTrustedTime = NewTrustedTime(BuildTime())

func (t *TrustedTime) system() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// Time returns the time to check certificates at.
func (t *TrustedTime) Time() time.Time {
	now := t.system()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.floor.After(now) {
		return t.floor
	}
	return now
}

// Floor returns the lower bound kept besides the system clock.
func (t *TrustedTime) Floor() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.floor
}

// Raise moves the floor up to at (never down).
func (t *TrustedTime) Raise(at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if at.After(t.floor) {
		t.floor = at
	}
}

// good records that a response verified at time at; the floor rises to it
// and is saved if the last save is SaveEvery old.
func (t *TrustedTime) good(at time.Time) {
	t.mu.Lock()
	if at.After(t.floor) {
		t.floor = at
	}
	save := t.save != nil && t.floor.Sub(t.saved) >= SaveEvery
	if save {
		t.saved = t.floor
	}
	f, fn := t.floor, t.save
	t.mu.Unlock()
	if save {
		_ = fn(f)
	}
}
