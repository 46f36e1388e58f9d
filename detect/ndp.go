package detect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/mdlayher/ndp"
	"golang.org/x/net/ipv6"
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

// listenRA opens an NDP socket on the named device, which must have a link-
// local address that finished DAD (binding a tentative one fails).
func (w *Watcher) listenRA(name string) (*ndp.Conn, int, error) {
	w.mu.Lock()
	index, ok := w.m.hasUsableLinkLocal(name)
	w.mu.Unlock()
	if !ok {
		return nil, 0, fmt.Errorf("%s: %w", name, errNoLinkLocal)
	}
	var conn *ndp.Conn
	err := inNetNS(w.opts.NetNS, func() error {
		ifi, err := net.InterfaceByIndex(index)
		if err != nil {
			return err
		}
		if ifi.Name != name {
			return fmt.Errorf("ifindex %d is now %s", index, ifi.Name)
		}
		conn, _, err = ndp.Listen(ifi, ndp.LinkLocal)
		return err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("ndp listen on %s: %w", name, err)
	}
	// Only router adverts wake us, not the neighbour chatter of the link.
	var f ipv6.ICMPFilter
	f.SetAll(true)
	f.Accept(ipv6.ICMPTypeRouterAdvertisement)
	if err := conn.SetICMPFilter(&f); err != nil {
		conn.Close()
		return nil, 0, fmt.Errorf("ndp filter on %s: %w", name, err)
	}
	if err := conn.SetControlMessage(ipv6.FlagHopLimit, true); err != nil {
		conn.Close()
		return nil, 0, fmt.Errorf("ndp control message on %s: %w", name, err)
	}
	return conn, index, nil
}

// serveRA feeds adverts read from conn into the model until ctx is done, the
// socket fails, or the device is replaced (a new ifindex under the name).
func (w *Watcher) serveRA(ctx context.Context, conn *ndp.Conn, name string, index int, kick <-chan struct{}) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			msg, cm, src, err := conn.ReadFrom()
			if err != nil {
				return
			}
			ra, ok := msg.(*ndp.RouterAdvertisement)
			// RFC 4861 6.1.2: a valid advert comes from a link-local
			// address with hop limit 255, i.e. it was not forwarded.
			if !ok || !src.IsLinkLocalUnicast() || (cm != nil && cm.HopLimit != ndp.HopLimit) {
				continue
			}
			w.applyRA(name, index, raPrefixes(src.WithZone(""), ra))
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
// no longer than the valid lifetime.
func raPrefixes(router netip.Addr, ra *ndp.RouterAdvertisement) []RAPrefix {
	var out []RAPrefix
	for _, o := range ra.Options {
		pi, ok := o.(*ndp.PrefixInformation)
		if !ok {
			continue
		}
		p := netip.PrefixFrom(pi.Prefix, int(pi.PrefixLength))
		if !p.IsValid() || !p.Addr().Is6() || p.Addr().IsLinkLocalUnicast() || p.Addr().IsMulticast() {
			continue
		}
		pref, valid := lifetimeSecs(pi.PreferredLifetime), lifetimeSecs(pi.ValidLifetime)
		if pref > valid {
			continue
		}
		out = append(out, RAPrefix{
			Prefix:     p.Masked(),
			Router:     router,
			Autonomous: pi.AutonomousAddressConfiguration,
			Preferred:  pref,
			Valid:      valid,
		})
	}
	return out
}

// lifetimeSecs converts an NDP lifetime back to the on-the-wire seconds, in
// which 0xffffffff (ndp.Infinity) means forever, like the kernel's Forever.
func lifetimeSecs(d time.Duration) uint32 {
	if d >= ndp.Infinity {
		return Forever
	}
	if d <= 0 {
		return 0
	}
	return uint32(d / time.Second)
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
