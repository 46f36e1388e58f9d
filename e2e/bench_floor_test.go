package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkRSSFloor runs testdata/rssfloor, the least a Go DDNS client can
// be (crypto/tls, encoding/json and log/slog linked; one POST per kernel
// address event, nothing else), through the same 200 address changes as
// BenchmarkStateDisk and prints its idle RSS and binary size: the floor
// that DESIGN.md's "idle RSS <= 8 MB" target for eddns is measured against.
// Both are built the same way, with the release flags.
func BenchmarkRSSFloor(b *testing.B) {
	bin := buildRSSFloor(b)
	e := NewEnv(b, AliDNS)
	e.AddLink("wan0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", e.NS.Name(), bin, "-endpoint", e.Endpoint)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Wait() }()
	defer cancel()
	ready := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadString('\n')
		if err == nil && strings.TrimSpace(line) != "rssfloor ready" {
			err = fmt.Errorf("unexpected first line %q", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			b.Fatalf("rssfloor: %v", err)
		}
	case <-time.After(10 * time.Second):
		b.Fatal("rssfloor did not start in 10 s")
	}

	c := newChanger(b, e, "wan0")
	clock := newEventClock(b, e)
	arr := make(arrivals, 16)
	e.OnArrive(arr.stamp)
	var fromEvent latencies
	for range benchChanges() {
		a, _ := c.next()
		at := arr.wait(b)
		fromEvent = append(fromEvent, at.Sub(clock.when(b, a)))
		c.dropPrevious(a)
	}
	fromEvent.report(b, "rssfloor: kernel event -> request")
	time.Sleep(settle)
	pid := cmd.Process.Pid
	rs := rss(b, pid)
	b.ReportMetric(mb(rs), "idle-RSS-MB")
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%-46s %8.2f MB %s, binary %.2f MB (eddns %.2f MB)", fmt.Sprintf("rssfloor RSS idle after %d updates", len(fromEvent)),
		mb(rs), rssSplit(b, pid), mb(st.Size()), mb(fileSize(b, binary)))
}

func fileSize(b *testing.B, path string) int64 {
	b.Helper()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// buildRSSFloor builds testdata/rssfloor with the flags eddns is built
// with, next to the eddns binary.
func buildRSSFloor(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(filepath.Dir(binary), "rssfloor")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	if err := goBuild(bin, "./testdata/rssfloor"); err != nil {
		b.Fatal(err)
	}
	return bin
}
