package detect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// Bounds on how often an NDP listener retries when it cannot listen (device
// missing, link-local address still in DAD, no CAP_NET_RAW). A netlink event
// on the device wakes it at once, so the backoff only matters for errors the
// model cannot see.
const (
	raMinBackoff = 250 * time.Millisecond
	raMaxBackoff = 30 * time.Second
)

var errNoLinkLocal = errors.New("no usable link-local address yet")

// runRA keeps a router-advertisement listener on the named device until ctx
// is done, following the device by name across re-creation.
func (w *Watcher) runRA(ctx context.Context, name string, kick <-chan struct{}) {
	backoff := raMinBackoff
	lastErr := ""
	t := time.NewTimer(time.Hour)
	t.Stop()
	for ctx.Err() == nil {
		conn, index, err := w.listenRA(name)
		if err == nil {
			backoff, lastErr = raMinBackoff, ""
			w.log.Debug("listening for router advertisements", "device", name, "ifindex", index)
			w.serveRA(ctx, conn, name, index, kick)
			continue
		}
		if msg := err.Error(); msg != lastErr && !errors.Is(err, errNoLinkLocal) {
			w.log.Warn("cannot listen for router advertisements; retrying", "device", name, "err", err)
			lastErr = msg
		}
		t.Reset(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-kick: // the device changed: worth trying now
			t.Stop()
		case <-t.C:
			backoff = min(2*backoff, raMaxBackoff)
		}
	}
}

// listenRA opens a router-advert socket on the named device, which must have
// a link-local address that finished DAD (binding a tentative one fails).
func (w *Watcher) listenRA(name string) (*raConn, int, error) {
	w.mu.Lock()
	index, ll, ok := w.m.hasUsableLinkLocal(name)
	w.mu.Unlock()
	if !ok {
		return nil, 0, fmt.Errorf("%s: %w", name, errNoLinkLocal)
	}
	var conn *raConn
	err := inNetNS(w.opts.NetNS, func() error {
		ifi, err := net.InterfaceByIndex(index)
		if err != nil {
			return err
		}
		if ifi.Name != name {
			return fmt.Errorf("ifindex %d is now %s", index, ifi.Name)
		}
		conn, err = listenRAOn(index, ll, ifi.MTU)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("router advert socket on %s: %w", name, err)
	}
	return conn, index, nil
}

// serveRA feeds adverts read from conn into the model until ctx is done, the
// socket fails, or the device is replaced (a new ifindex under the name).
func (w *Watcher) serveRA(ctx context.Context, conn *raConn, name string, index int, kick <-chan struct{}) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			b, src, hops, err := conn.read()
			if err != nil {
				return
			}
			// RFC 4861 6.1.2: a valid advert comes from a link-local
			// address with hop limit 255, i.e. it was not forwarded.
			// Our own adverts (looped back multicast) are not news.
			if !src.IsLinkLocalUnicast() || hops != ndpHopLimit || src == conn.self {
				continue
			}
			pios, err := parseRA(b)
			if err != nil {
				w.log.Debug("ignoring router advert", "device", name, "router", src, "err", err)
				continue
			}
			w.applyRA(name, index, raPrefixes(src, pios))
		}
	}()
	defer func() {
		conn.Close()
		<-done
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-done:
			w.log.Debug("router advert listener closed", "device", name)
			return
		case <-kick:
			w.mu.Lock()
			d := w.m.devs[name]
			same := d != nil && d.index == index
			w.mu.Unlock()
			if !same {
				return
			}
		}
	}
}

// raPrefixes extracts the prefix-information options of an advert that
// RFC 4862 5.5.3 lets a host use: not link-local, and a preferred lifetime
// no longer than the valid lifetime. Lifetimes stay in seconds as sent, in
// which 0xffffffff means forever, like the kernel's Forever.
func raPrefixes(router netip.Addr, pios []raPIO) []RAPrefix {
	var out []RAPrefix
	for _, pi := range pios {
		p := pi.Prefix
		if !p.IsValid() || !p.Addr().Is6() || p.Addr().Is4In6() || p.Addr().IsLinkLocalUnicast() || p.Addr().IsMulticast() {
			continue
		}
		if pi.Preferred > pi.Valid {
			continue
		}
		out = append(out, RAPrefix{
			Prefix:     p,
			Router:     router,
			Autonomous: pi.Autonomous,
			Preferred:  pi.Preferred,
			Valid:      pi.Valid,
		})
	}
	return out
}

// applyRA merges prefixes heard on the named device instance into the model
// and re-arms the expiry timer.
func (w *Watcher) applyRA(name string, index int, pios []RAPrefix) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if w.m.applyRA(name, index, pios, now) {
		w.signal()
	}
	w.armRATimer(now)
}

// armRATimer sets the single RA expiry timer to the next moment a prefix
// stops being preferred or valid; nothing runs while no prefix can expire.
// w.mu is held.
func (w *Watcher) armRATimer(now time.Time) {
	next, ok := w.m.nextRAExpiry()
	switch {
	case !ok && w.raTimer != nil:
		w.raTimer.Stop()
	case !ok:
	case w.raTimer == nil:
		w.raTimer = time.AfterFunc(next.Sub(now), w.onRATimer)
	default:
		w.raTimer.Reset(next.Sub(now))
	}
}

func (w *Watcher) onRATimer() {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if w.m.expireRA(now) {
		w.signal()
	}
	w.armRATimer(now)
}
