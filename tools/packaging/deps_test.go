package packaging

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRouterBinaryDependencies keeps what the router binary links to the
// chosen set: the modules named in the project brief, and no net/http, whose
// client and server cost about 0.85 MB on mipsle; httpc does that job.
// Router adverts are read by detect's own parser and netlink by its own
// reader: mdlayher/ndp (with x/net's ipv6, icmp and idna and x/text, about
// 190 KB) and vishvananda/netlink are the references their tests compare
// with, not part of the binary; so is x/net's dns/dnsmessage for dnswire
// (the standard library's own copy is linked anyway, a second one cost
// 30 kB of code). Nothing of x/net is linked.
func TestRouterBinaryDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{with .Module}}{{.Path}}{{end}}", ".")
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=mipsle", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := []string{
		"github.com/eddns/eddns",
		"github.com/jessevdk/go-flags",
		"github.com/vishvananda/netns",
		"golang.org/x/sys",
	}
	// Packages of allowed modules that the router binary must not link.
	banned := []string{"golang.org/x/net/idna", "golang.org/x/net/ipv6", "golang.org/x/net/icmp", "golang.org/x/net/internal/socket"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, mod, _ := strings.Cut(line, " ")
		if pkg == "net/http" || strings.HasPrefix(pkg, "net/http/") {
			t.Errorf("the router binary links %s", pkg)
		}
		if slices.Contains(banned, pkg) {
			t.Errorf("the router binary links %s (router adverts have their own parser in detect)", pkg)
		}
		if mod == "golang.org/x/net" {
			t.Errorf("the router binary links %s from x/net (DNS messages are dnswire's own)", pkg)
		}
		if mod != "" && !slices.Contains(allowed, mod) {
			t.Errorf("the router binary links %s from unchosen module %s", pkg, mod)
		}
	}
}
