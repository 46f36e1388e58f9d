package packaging

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRouterBinaryDependencies keeps what the router binary links to the
// chosen set: the modules named in the project brief (ndp brings x/net and
// x/text), and no net/http, whose client and server cost about 0.85 MB on
// mipsle; httpc does that job.
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
		"github.com/mdlayher/ndp",
		"github.com/vishvananda/netns",
		"golang.org/x/net",
		"golang.org/x/sys",
		"golang.org/x/text",
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, mod, _ := strings.Cut(line, " ")
		if pkg == "net/http" || strings.HasPrefix(pkg, "net/http/") {
			t.Errorf("the router binary links %s", pkg)
		}
		if mod != "" && !slices.Contains(allowed, mod) {
			t.Errorf("the router binary links %s from unchosen module %s", pkg, mod)
		}
	}
}
