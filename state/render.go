package state

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// Render writes st for a human: one block per record, newest facts first.
func Render(w io.Writer, st Status, now time.Time) error {
	fmt.Fprintf(w, "eddns %s, pid %d, started %s, status updated %s\n",
		st.Version, st.PID, ago(now, st.StartedAt), ago(now, st.UpdatedAt))
	if st.DryRun {
		fmt.Fprintln(w, "dry run: no API calls are made")
	}
	if st.ClockOffset != "" {
		fmt.Fprintf(w, "local clock corrected by %s (learned from provider responses)\n", st.ClockOffset)
	}
	if len(st.Records) == 0 {
		fmt.Fprintln(w, "no enabled records")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range st.Records {
		fmt.Fprintf(tw, "\n%s %s\t(%s, provider %s, source %s)\n", r.FQDN, r.Type, r.Section, r.Provider, r.Source)
		desired := r.Desired
		if desired == "" {
			desired = "none: " + r.DesiredReason
		}
		fmt.Fprintf(tw, "  desired\t%s\n", desired)
		pub := r.Published
		if pub == "" {
			pub = "unknown"
		}
		if r.RecordID != "" {
			pub += " (record " + r.RecordID + ")"
		}
		fmt.Fprintf(tw, "  published\t%s\n", pub)
		if r.LastSuccess != nil {
			fmt.Fprintf(tw, "  last success\t%s\n", ago(now, *r.LastSuccess))
		}
		if r.LastChange != nil {
			fmt.Fprintf(tw, "  last change\t%s\n", ago(now, *r.LastChange))
		}
		if r.LastError != "" {
			fmt.Fprintf(tw, "  last error\t%s (%s)\n", r.LastError, ago(now, deref(r.LastErrorAt)))
			if r.Failures > 0 {
				fmt.Fprintf(tw, "  failures\t%d in a row\n", r.Failures)
			}
		}
		if r.NextRetry != nil {
			fmt.Fprintf(tw, "  next retry\t%s\n", r.NextRetry.Local().Format(time.DateTime))
		}
		if r.Warning != "" {
			fmt.Fprintf(tw, "  warning\t%s\n", r.Warning)
		}
		if r.Verify != "" {
			fmt.Fprintf(tw, "  verification\t%s\n", r.Verify)
		}
		fmt.Fprintf(tw, "  API calls\tlist %d, create %d, update %d, failed %d\n", r.Calls.List, r.Calls.Create, r.Calls.Update, r.Calls.Failed)
	}
	return tw.Flush()
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		return t.Local().Format(time.DateTime)
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format(time.DateTime), d)
}
