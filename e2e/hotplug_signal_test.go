package e2e

import (
	"syscall"
	"testing"

	"github.com/eddns/eddns/state"
)

// TestInterfacesChangedSignal: the iface hotplug's signal (SIGWINCH)
// reaches the daemon binary, which handles it ("interfaces changed") and
// keeps running; SIGUSR1, the user's full check, still looks the record up.
// What SIGWINCH costs at the provider is asserted by the daemon package's
// TestInterfacesChangedSignal, where the provider calls can be counted
// exactly.
func TestInterfacesChangedSignal(t *testing.T) {
	e := NewEnv(t, AliDNS)
	e.WriteConfig(staticRecord("web", "2001:db8::5"))
	d := e.Start()
	e.WaitPublished("web", "www", "AAAA", "2001:db8::5")
	rs0, _ := e.RecordStatus("web")

	d.Signal(syscall.SIGWINCH)
	d.WaitLog("interfaces changed")
	d.Signal(syscall.SIGUSR1)
	d.WaitLog("full check requested")
	e.WaitStatus("web", "the full check's lookup", func(rs state.RecordStatus) bool { return rs.Calls.List > rs0.Calls.List })
	d.Stop()
}
