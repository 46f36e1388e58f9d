package daemon

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/eddns/eddns/authverify"
	"github.com/eddns/eddns/config"
	"github.com/eddns/eddns/detect"
	"github.com/eddns/eddns/httpc"
	"github.com/eddns/eddns/planner"
	"github.com/eddns/eddns/providers"
	"github.com/eddns/eddns/providers/registry"
	"github.com/eddns/eddns/reconciler"
	"github.com/eddns/eddns/state"
)

// inputs gathers everything the planner needs, once: a netlink dump, the
// networks resolved through ubus, and the echo services for url records.
func inputs(ctx context.Context, recs []*config.Record, o Options) (planner.Inputs, error) {
	var in planner.Inputs
	snap, err := detect.ReadOnceHosts(ctx, hostMACs(recs))
	if err != nil {
		return in, fmt.Errorf("read addresses: %w", err)
	}
	in.Snapshot = snap
	in.Networks, in.NetworkErrs = resolveNetworks(ctx, recs, detect.ResolveNetwork)
	// Leases are optional: the neighbour table alone still finds a host.
	ubus, want := ubusPath(), leasesWanted(recs)
	if _, err := os.Stat(ubus); err != nil {
		ubus = ""
	}
	if want&wantLeases6 != 0 && ubus != "" {
		in.Leases, _ = detect.ReadDHCPv6Leases(ctx, ubus)
	}
	if want&wantLeases4 != 0 {
		in.Leases4, _ = detect.ReadDHCPv4Leases(ctx, ubus, leaseFiles(o))
	}
	var urlRecs []*config.Record
	for _, r := range recs {
		if r.Source == "url" {
			urlRecs = append(urlRecs, r)
		}
	}
	if len(urlRecs) > 0 {
		res := fetchPublicIPs(ctx, urlRecs, systemEnv().fetchIP, o.Log)
		in.PublicIP, in.PublicIPErrs = res.addrs, res.errs
	}
	return in, nil
}

// enabled lists the records to keep current: none when global.enabled is 0.
func enabled(cfg *config.Config) []*config.Record {
	if !cfg.Global.Enabled {
		return nil
	}
	var recs []*config.Record
	for _, r := range cfg.Records {
		if r.Enabled {
			recs = append(recs, r)
		}
	}
	return recs
}

// Once is `eddns once`: one detect + reconcile pass. It reports whether every
// enabled record now holds its desired value. A configuration error is
// returned as err (exit status 2 in main).
func Once(ctx context.Context, o Options, out io.Writer) (allOK bool, err error) {
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return false, err
	}
	if w := config.CheckPermissions(cfg.File); w != "" {
		o.Log.Warn(w)
	}
	for _, w := range cfg.Warnings() {
		o.Log.Warn(w)
	}
	recs := enabled(cfg)
	if !cfg.Global.Enabled {
		fmt.Fprintf(out, "%s: global.enabled is 0: nothing to do\n", cfg.File)
		return true, nil
	}
	if !o.DryRun {
		checkTLS(cfg, o.Log)
	}
	in, err := inputs(ctx, recs, o)
	if err != nil {
		return false, err
	}
	store, warn, err := state.Open(cfg.Global.StateDir)
	if err != nil {
		return false, err
	}
	if warn != "" {
		o.Log.Warn(warn)
	}
	trustPersistedTime(cfg.Global.StateDir, o.Log)
	clocks := &httpc.Clocks{Log: o.Log}
	tr := newTracker(cfg.Global.StateDir, o.Version, o.DryRun, clocks.Largest, o.Log)
	tr.setRecords(recs, store)

	type line struct {
		rec  *config.Record
		want planner.Desired
		res  reconciler.Result
	}
	lines := make([]line, len(recs))
	byProvider := map[string][]int{}
	for i, r := range recs {
		lines[i] = line{rec: r, want: planner.Plan(r, in)}
		tr.desired(r.Key(), lines[i].want)
		byProvider[r.Provider] = append(byProvider[r.Provider], i)
	}

	// Records of one provider go in order; providers run in parallel.
	var wg sync.WaitGroup
	for name, idx := range byProvider {
		prov, err := registry.New(cfg.Providers[name], providers.Options{Clock: clocks.For(clockKey(cfg.Providers[name])), UserAgent: userAgent(o.Version)})
		if err != nil {
			return false, err
		}
		rc := &reconciler.Reconciler{Name: name, Provider: prov, Store: store, DryRun: o.DryRun, Log: o.Log}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				if !lines[i].want.OK() {
					continue
				}
				lines[i].res = rc.Apply(ctx, lines[i].rec, lines[i].want.Value, false)
				tr.report(reconciler.Report{Record: lines[i].rec, Want: lines[i].want.Value, Result: lines[i].res})
			}
		}()
	}
	wg.Wait()
	var applied []appliedRecord
	for _, l := range lines {
		if l.want.OK() {
			applied = append(applied, appliedRecord{l.rec, l.want.Value, l.res})
		}
	}
	verified := verifyAll(ctx, cfg, o, clocks, tr, applied)

	allOK = true
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, l := range lines {
		var what string
		switch {
		case !l.want.OK():
			allOK = false
			what = "skipped: " + l.want.Reason
		case l.res.Outcome == reconciler.Failed:
			allOK = false
			what = "FAILED: " + l.res.Err.Error()
		case l.res.Outcome == reconciler.DryRun:
			what = "would publish (dry run, nothing sent)"
		default:
			what = l.res.Outcome.String()
			if l.res.RecordID != "" {
				what += " (record " + l.res.RecordID + ")"
			}
			if l.res.Warning != "" {
				what += "; warning: " + l.res.Warning
			}
			if v, ok := verified[l.rec.Key()]; ok {
				what += "; " + v.msg
				if !v.ok {
					allOK = false
				}
			}
		}
		val := "-"
		if l.want.OK() {
			val = l.want.Value.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.rec.FQDN(), l.rec.Type, val, what)
	}
	tw.Flush()
	return allOK, nil
}

type verdict struct {
	msg string
	ok  bool
}

type appliedRecord struct {
	rec  *config.Record
	want netip.Addr
	res  reconciler.Result
}

// verifyAll waits, in parallel, for the HTTPDNS verification of every
// record written or found correct that has `option verify`, each bounded by
// its window; --no-verify and --dry-run skip it.
func verifyAll(ctx context.Context, cfg *config.Config, o Options, clocks *httpc.Clocks, tr *tracker, recs []appliedRecord) map[string]verdict {
	out := map[string]verdict{}
	if o.NoVerify || o.DryRun {
		return out
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range recs {
		rec, want, res := a.rec, a.want, a.res
		h := cfg.HTTPDNS[rec.Verify]
		auth := rec.Verify == config.VerifyAuthoritative
		if (h == nil && !auth) || res.Outcome == reconciler.Failed || res.Outcome == reconciler.DryRun {
			continue
		}
		if auth {
			o.Log.Info("waiting for verification", "record", rec.FQDN(), "type", rec.Type, "via", rec.Verify,
				"up_to", authverify.DefaultWindow.String())
		} else {
			o.Log.Info("waiting for verification", "record", rec.FQDN(), "type", rec.Type, "via", h.Name,
				"up_to", verifyWindow(h, rec).String())
		}
		tr.verify(rec.Key(), "pending", nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var msg string
			var err error
			if auth {
				msg, err = verifyAuthoritative(ctx, rec, want, func(m string) { tr.verify(rec.Key(), m, nil) })
			} else {
				client := NewHTTPDNSClient(h, clocks.For(h.URL), userAgent(o.Version))
				_, msg, err = verifyOnce(ctx, client, rec, h, want, nil)
			}
			var at *time.Time
			if err == nil {
				now := time.Now().UTC()
				at = &now
			} else {
				msg = "NOT VISIBLE: " + msg
			}
			tr.verify(rec.Key(), msg, at)
			mu.Lock()
			out[rec.Key()] = verdict{msg: msg, ok: err == nil}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// Detect is `eddns detect`: the address model and what each record would
// publish, nothing sent.
func Detect(ctx context.Context, o Options, out io.Writer) error {
	cfg, err := config.Load(o.ConfigPath)
	if err != nil {
		return err
	}
	recs := enabled(cfg)
	in, err := inputs(ctx, recs, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "Devices:")
	names := make([]string, 0, len(in.Snapshot))
	for n := range in.Snapshot {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		dev := in.Snapshot[n]
		updown := "down"
		if dev.Up {
			updown = "up"
		}
		fmt.Fprintf(out, "  %s (index %d, %s)\n", n, dev.Index, updown)
		for _, a := range dev.Addrs {
			fmt.Fprintf(out, "    %-45s %s\n", a.Prefix, describeAddr(a))
		}
		for _, p := range dev.RAPrefixes {
			fmt.Fprintf(out, "    %-45s router advert from %s\n", p.Prefix, p.Router)
		}
	}
	fmt.Fprintln(out, "Records:")
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, r := range recs {
		dev, _ := planner.Device(r, in)
		if r.Source == "static" || r.Source == "url" {
			dev = r.Source
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.FQDN(), r.Type, dev, planner.Plan(r, in))
	}
	return tw.Flush()
}

// unpublishable says why the policy would not publish a, or "" if it would.
func unpublishable(a detect.Addr) string {
	ip := a.Addr()
	typ := "AAAA"
	if ip.Is4() {
		typ = "A"
	}
	if len(detect.Candidates([]detect.Addr{a}, typ)) == 1 {
		return ""
	}
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.Is6() && ip.IsPrivate():
		return "unique local (ULA)"
	case ip.IsPrivate():
		return "private"
	case ip.Is4() && !detect.PublicIPv4(ip):
		return "not public (CGNAT or reserved)"
	case a.Flags&detect.FlagTentative != 0:
		return "tentative (duplicate address detection running)"
	case a.Flags&detect.FlagDADFailed != 0:
		return "duplicate address detection failed"
	case a.Flags&detect.FlagDeprecated != 0 || a.Preferred == 0:
		return "deprecated"
	case a.Scope != 0:
		return "not global scope"
	}
	return "not public"
}

// describeAddr says whether an address could be published and why not.
func describeAddr(a detect.Addr) string {
	var flags []string
	for _, f := range []struct {
		bit  uint32
		name string
	}{{detect.FlagTemporary, "temporary"}, {detect.FlagTentative, "tentative"}, {detect.FlagDADFailed, "dadfailed"},
		{detect.FlagDeprecated, "deprecated"}, {detect.FlagPermanent, "permanent"}, {detect.FlagNoPrefixRt, "noprefixroute"}} {
		if a.Flags&f.bit != 0 {
			flags = append(flags, f.name)
		}
	}
	lft := func(v uint32) string {
		if v == detect.Forever {
			return "forever"
		}
		return fmt.Sprintf("%ds", v)
	}
	usable := "publishable"
	if why := unpublishable(a); why != "" {
		usable = "not publishable: " + why
	}
	s := fmt.Sprintf("%s, preferred %s, valid %s", usable, lft(a.Preferred), lft(a.Valid))
	if len(flags) > 0 {
		s += ", " + strings.Join(flags, " ")
	}
	return s
}
