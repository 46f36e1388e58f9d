package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/eddns/eddns/state"
)

// The benchmarks measure the targets of DESIGN.md on the real binary:
// kernel address event -> signed request at a loopback provider (p50, p99,
// max), resident memory after the updates, and wake-ups while idle. They
// print figures and assert nothing about time. Run them with
//
//	go test -run=NONE -bench=. -benchtime=1x ./e2e/
//
// EDDNS_BENCH_CHANGES (default 200) sets the number of address changes and
// EDDNS_BENCH_IDLE (default 60s; a Go duration or seconds) the idle window.
// bench/run.sh does the same.

func benchChanges() int {
	if n, err := strconv.Atoi(os.Getenv("EDDNS_BENCH_CHANGES")); err == nil && n > 0 {
		return n
	}
	return 200
}

func benchIdle() time.Duration {
	v := os.Getenv("EDDNS_BENCH_IDLE")
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 60 * time.Second
}

// latencies collects one duration per address change.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func (l latencies) report(b *testing.B, what string) {
	b.ReportMetric(us(l.pct(0.50)), "p50-µs")
	b.ReportMetric(us(l.pct(0.99)), "p99-µs")
	b.ReportMetric(us(slices.Max(l)), "max-µs")
	l.summary(b, what)
}

func (l latencies) summary(b *testing.B, what string) {
	b.Logf("%-46s n=%-4d p50 %7.3f ms  p99 %7.3f ms  max %7.3f ms", what, len(l), ms(l.pct(0.50)), ms(l.pct(0.99)), ms(slices.Max(l)))
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// changer adds addresses to a device of the Env's namespace through
// netlink, each numerically lower than the last so that each one is the
// address a "stable" AAAA record selects, and removes the one before.
type changer struct {
	b    *testing.B
	h    *netlink.Handle
	link netlink.Link
	prev *netlink.Addr
	n    int
}

func newChanger(b *testing.B, e *Env, dev string) *changer {
	h := e.NS.Netlink(b)
	link, err := h.LinkByName(dev)
	if err != nil {
		b.Fatal(err)
	}
	return &changer{b: b, h: h, link: link}
}

// next adds the next address and returns it and the moment just before the
// request went to the kernel.
func (c *changer) next() (netip.Addr, time.Time) {
	c.n++
	a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 1, 14: byte((0xffff - c.n) >> 8), 15: byte(0xffff - c.n)})
	ipnet, _ := netlink.ParseIPNet(a.String() + "/64")
	addr := &netlink.Addr{IPNet: ipnet, PreferedLft: 3600, ValidLft: 7200, Flags: syscall.IFA_F_NODAD}
	before := time.Now()
	if err := c.h.AddrAdd(c.link, addr); err != nil {
		c.b.Fatalf("add %v: %v", a, err)
	}
	return a, before
}

// eventClock timestamps RTM_NEWADDR events the moment a listener in the
// namespace wakes up with them: the time the kernel announced the address,
// as any subscriber (the daemon included) sees it. A raw socket, read on
// its own goroutine with nothing between the wake-up and the clock read.
type eventClock struct {
	events chan addrEvent
}

type addrEvent struct {
	addr netip.Addr
	at   time.Time
}

func newEventClock(b *testing.B, e *Env) *eventClock {
	b.Helper()
	var fd int
	err := e.NS.Do(b, func() (err error) {
		fd, err = syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC, syscall.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		return syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: rtmgrpIPv6IfAddr})
	})
	if err != nil {
		b.Fatalf("netlink listener: %v", err)
	}
	// A receive timeout lets the reader notice the end of the benchmark.
	tv := syscall.Timeval{Usec: 100000}
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		b.Fatal(err)
	}
	c := &eventClock{events: make(chan addrEvent, 64)}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1<<16)
		for !stop.Load() {
			n, _, err := syscall.Recvfrom(fd, buf, 0)
			at := time.Now()
			if err != nil {
				continue // timeout (EAGAIN) or EINTR
			}
			msgs, err := syscall.ParseNetlinkMessage(buf[:n])
			if err != nil {
				continue
			}
			for i := range msgs {
				if msgs[i].Header.Type != syscall.RTM_NEWADDR {
					continue
				}
				attrs, _ := syscall.ParseNetlinkRouteAttr(&msgs[i])
				for _, a := range attrs {
					if ip, ok := netip.AddrFromSlice(a.Value); a.Attr.Type == syscall.IFA_ADDRESS && ok && ip.Is6() {
						select {
						case c.events <- addrEvent{ip, at}:
						default:
						}
					}
				}
			}
		}
	}()
	b.Cleanup(func() {
		stop.Store(true)
		<-done
		syscall.Close(fd)
	})
	return c
}

// when returns the time the kernel announced addr.
func (c *eventClock) when(b *testing.B, addr netip.Addr) time.Time {
	b.Helper()
	deadline := time.After(Wait)
	for {
		select {
		case ev := <-c.events:
			if ev.addr == addr {
				return ev.at
			}
		case <-deadline:
			b.Fatalf("no RTM_NEWADDR for %v within %v", addr, Wait)
		}
	}
}

// dropPrevious removes the address before the newest one (no change for
// the record: a lower address remains).
func (c *changer) dropPrevious(cur netip.Addr) {
	if c.prev != nil {
		if err := c.h.AddrDel(c.link, c.prev); err != nil {
			c.b.Fatalf("del %v: %v", c.prev, err)
		}
	}
	ipnet, _ := netlink.ParseIPNet(cur.String() + "/64")
	c.prev = &netlink.Addr{IPNet: ipnet}
}

// arrivals timestamps requests as they reach the fake, before it reads them.
type arrivals chan time.Time

func (a arrivals) stamp(*http.Request) {
	select {
	case a <- time.Now():
	default:
	}
}

func (a arrivals) wait(b *testing.B) time.Time {
	select {
	case t := <-a:
		return t
	case <-time.After(Wait):
		b.Fatalf("no request reached the provider within %v", Wait)
	}
	return time.Time{}
}

// BenchmarkEventToRequest runs the daemon against each provider's fake and
// measures, over EDDNS_BENCH_CHANGES address changes, the time from the
// kernel announcing a new address to the fake receiving the signed update
// it causes. It also prints the daemon's resident memory after 100 changes
// and after all of them.
func BenchmarkEventToRequest(b *testing.B) {
	for _, kind := range Kinds {
		b.Run(string(kind), func(b *testing.B) {
			r := startBenchDaemon(b, kind)
			fromEvent, fromCall := r.measure(benchChanges(), func(i int) {
				if i == 100 {
					b.Logf("%-46s %8.2f MB %s", "RSS after 100 updates (busy)", mb(rss(b, r.d.PID())), rssSplit(b, r.d.PID()))
				}
			})
			fromEvent.report(b, "kernel event -> signed request ("+string(kind)+")")
			fromCall.summary(b, "  same, from before the netlink add call")
			rs := rss(b, r.d.PID())
			b.ReportMetric(mb(rs), "RSS-MB")
			b.Logf("%-46s %8.2f MB %s", fmt.Sprintf("RSS after %d updates (busy)", len(fromEvent)), mb(rs), rssSplit(b, r.d.PID()))
			if got, want := r.e.Requests(), 2+len(fromEvent); got != want {
				b.Logf("note: %d requests in all, expected %d (list+create, then one update per change)", got, want)
			}
			r.d.Stop()
		})
	}
}

// settle covers the daemon's one-time memory trim, which runs 5 s after
// the last activity (daemon/memtrim.go).
const settle = 8 * time.Second

// BenchmarkIdle lets the daemon idle for EDDNS_BENCH_IDLE after 100
// updates and counts its context switches (all threads, voluntary and not),
// which is how often anything in it woke up. The first seconds after the
// burst, which hold the one-time memory trim, are counted apart.
func BenchmarkIdle(b *testing.B) {
	r := startBenchDaemon(b, AliDNS)
	r.measure(100, nil)
	b.Logf("%-46s %8.2f MB %s", "RSS right after 100 updates (busy)", mb(rss(b, r.d.PID())), rssSplit(b, r.d.PID()))
	s0, _ := ctxSwitches(b, r.d.PID())
	time.Sleep(settle)
	s1, _ := ctxSwitches(b, r.d.PID())
	b.Logf("%-46s %8d over %v (includes the one-time memory trim)", "context switches settling after the burst", s1-s0, settle)
	idle := benchIdle()
	before, threads := ctxSwitches(b, r.d.PID())
	time.Sleep(idle)
	after, threads2 := ctxSwitches(b, r.d.PID())
	n := after - before
	b.ReportMetric(float64(n), "ctxsw/idle-window")
	b.ReportMetric(float64(n)/idle.Seconds(), "ctxsw/s")
	b.Logf("%-46s %8d over %v (%.3f/s; threads %d -> %d)", "context switches while idle", n, idle, float64(n)/idle.Seconds(), threads, threads2)
	rs := rss(b, r.d.PID())
	b.ReportMetric(mb(rs), "RSS-MB")
	b.Logf("%-46s %8.2f MB %s", "RSS idle after 100 updates, 1 record", mb(rs), rssSplit(b, r.d.PID()))
	r.d.Stop()
}

// benchRun is a daemon under measurement and the instruments around it.
type benchRun struct {
	b     *testing.B
	e     *Env
	d     *Daemon
	c     *changer
	clock *eventClock
	arr   arrivals
}

// startBenchDaemon starts the daemon for an AAAA record on wan0 and makes it
// create the record (list + create, not measured).
func startBenchDaemon(b *testing.B, kind Kind) *benchRun {
	b.Helper()
	e := NewEnv(b, kind)
	e.AddLink("wan0")
	e.WriteConfig(Record("nas6", "name", "nas", "type", "AAAA", "device", "wan0"))
	// Info, as on a router: per-event debug lines are not what is measured,
	// and the log is kept out of the benchmark's output.
	e.LogLevel, e.QuietLog = "info", true
	r := &benchRun{b: b, e: e, d: e.Start(), c: newChanger(b, e, "wan0"), clock: newEventClock(b, e), arr: make(arrivals, 16)}
	first, _ := r.c.next()
	e.WaitPublished("nas6", "nas", "AAAA", first.String())
	r.c.dropPrevious(first)
	e.OnArrive(r.arr.stamp)
	return r
}

// measure makes n address changes one after the other, each after the
// daemon has finished with the previous one, and returns the latencies
// from the kernel's announcement and from before the netlink call.
func (r *benchRun) measure(n int, each func(i int)) (fromEvent, fromCall latencies) {
	r.b.Helper()
	for i := 1; i <= n; i++ {
		a, before := r.c.next()
		at := r.arr.wait(r.b)
		fromEvent = append(fromEvent, at.Sub(r.clock.when(r.b, a)))
		fromCall = append(fromCall, at.Sub(before))
		// The change is done when the daemon has persisted and reported it;
		// the next one starts from an idle daemon, as a real change would.
		r.e.WaitStatus("nas6", "published "+a.String(), func(rs state.RecordStatus) bool { return rs.Published == a.String() })
		r.c.dropPrevious(a)
		if each != nil {
			each(i)
		}
	}
	return fromEvent, fromCall
}

func mb(bytes int64) float64 { return float64(bytes) / (1 << 20) }

// rss returns VmRSS of pid in bytes.
func rss(b *testing.B, pid int) int64 {
	b.Helper()
	kb := procField(b, filepath.Join("/proc", strconv.Itoa(pid), "status"), "VmRSS:")
	return kb * 1024
}

// rssSplit says how much of the resident memory is anonymous (heap,
// stacks, runtime) and how much is pages of the executable.
func rssSplit(b *testing.B, pid int) string {
	b.Helper()
	f := filepath.Join("/proc", strconv.Itoa(pid), "status")
	return fmt.Sprintf("(anon %.2f MB, file %.2f MB)", mb(procField(b, f, "RssAnon:")*1024), mb(procField(b, f, "RssFile:")*1024))
}

// ctxSwitches sums voluntary and involuntary context switches over every
// thread of pid (/proc/PID/status alone counts only the main thread).
func ctxSwitches(b *testing.B, pid int) (total int64, threads int) {
	b.Helper()
	tasks, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "task"))
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range tasks {
		f := filepath.Join("/proc", strconv.Itoa(pid), "task", t.Name(), "status")
		total += procField(b, f, "voluntary_ctxt_switches:") + procField(b, f, "nonvoluntary_ctxt_switches:")
	}
	return total, len(tasks)
}

func procField(b *testing.B, file, key string) int64 {
	b.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, err := strconv.ParseInt(f[0], 10, 64)
				if err == nil {
					return v
				}
			}
		}
	}
	b.Fatalf("%s: no %s", file, key)
	return 0
}

// BenchmarkBaselineClient is the floor to compare with: a minimal client
// in this process, subscribed to address events in the same namespace,
// that POSTs the new address to the same loopback server at once (no
// planning, no signing, no state).
func BenchmarkBaselineClient(b *testing.B) {
	e := NewEnv(b, AliDNS)
	e.AddLink("wan0")
	c := newChanger(b, e, "wan0")

	nsh, err := netns.GetFromName(e.NS.Name())
	if err != nil {
		b.Fatal(err)
	}
	defer nsh.Close()
	updates, done := make(chan netlink.AddrUpdate, 64), make(chan struct{})
	defer close(done)
	if err := netlink.AddrSubscribeWithOptions(updates, done, netlink.AddrSubscribeOptions{Namespace: &nsh}); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{
		// The socket must be made inside the namespace, where the server is.
		DialContext: func(ctx context.Context, network, addr string) (conn net.Conn, err error) {
			err = e.NS.Do(b, func() error {
				conn, err = (&net.Dialer{}).DialContext(ctx, network, addr)
				return err
			})
			return conn, err
		},
	}}
	var sent atomic.Int64
	go func() {
		for u := range updates {
			if !u.NewAddr || !u.LinkAddress.IP.IsGlobalUnicast() {
				continue
			}
			resp, err := client.Post(e.Endpoint, "text/plain", strings.NewReader(u.LinkAddress.IP.String()))
			if err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				sent.Add(1)
			}
		}
	}()
	clock := newEventClock(b, e)
	arr := make(arrivals, 16)
	e.OnArrive(arr.stamp)
	var fromEvent, fromCall latencies
	for range benchChanges() {
		a, before := c.next()
		at := arr.wait(b)
		fromEvent = append(fromEvent, at.Sub(clock.when(b, a)))
		fromCall = append(fromCall, at.Sub(before))
		c.dropPrevious(a)
	}
	fromEvent.report(b, "baseline: kernel event -> plain POST")
	fromCall.summary(b, "  same, from before the netlink add call")
}

// rtmgrpIPv6IfAddr is RTMGRP_IPV6_IFADDR from <linux/rtnetlink.h>, the
// legacy group bit for IPv6 address events (the syscall package lacks it).
const rtmgrpIPv6IfAddr = 0x100
