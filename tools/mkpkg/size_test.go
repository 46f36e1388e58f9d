package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestSymbolPackage(t *testing.T) {
	tests := []struct{ sym, pkg, mod string }{
		{"github.com/vishvananda/netlink.(*Handle).LinkList", "github.com/vishvananda/netlink", "github.com/vishvananda/netlink"},
		{"github.com/vishvananda/netlink/nl.NewRtMsg", "github.com/vishvananda/netlink/nl", "github.com/vishvananda/netlink"},
		{"type:*net/http.Client", "net/http", "std: net"},
		{"runtime.mallocgc", "runtime", "std: runtime"},
		{"go:itab.*os.File,io.Reader", "os", "std: os"},
		{"crypto/tls.(*Conn).Handshake", "crypto/tls", "std: crypto"},
		{"github.com/eddns/eddns/providers/alidns.sign", "github.com/eddns/eddns/providers/alidns", "github.com/eddns/eddns"},
		{"example.org/other/pkg.F", "example.org/other/pkg", "example.org/other/pkg"},
		{"runtime.text", "runtime", "std: runtime"},
		{"go:buildinfo", "(runtime data)", "std: (runtime data)"},
		{"type:.eq.internal/sync.entry", "internal/sync", "std: internal"},
		{"type:.eq.[16]sync/atomic.Pointer[internal/sync.entry]", "sync/atomic", "std: sync"},
		{"slices..dict.stableCmpFunc[internal/fmtsort.KeyValue]", "slices", "std: slices"},
		{"go:func.*", "(runtime data)", "std: (runtime data)"},
	}
	for _, tt := range tests {
		if got := symbolPackage(tt.sym); got != tt.pkg {
			t.Errorf("symbolPackage(%q) = %q, want %q", tt.sym, got, tt.pkg)
		}
		if got := moduleOf(tt.pkg); got != tt.mod {
			t.Errorf("moduleOf(%q) = %q, want %q", tt.pkg, got, tt.mod)
		}
	}
}

func TestSymbolSizes(t *testing.T) {
	byPkg, byMod, total := symbolSizes([]sym{{"runtime.main", 100}, {"net/http.(*Client).Do", 50}, {"runtime.buf", 25}})
	if total != 175 || byPkg["runtime"] != 125 || byPkg["net/http"] != 50 || byMod["std: net"] != 50 {
		t.Fatalf("got pkg=%v mod=%v total=%d", byPkg, byMod, total)
	}
}

// TestFileSymbolsSkipsBSS measures this test binary: no symbol may come
// from a NOBITS section, and the sizes must fit in the file.
func TestFileSymbolsSkipsBSS(t *testing.T) {
	// go test links its binaries without a symbol table, so build one that
	// has it: this very command, unstripped.
	exe := filepath.Join(t.TempDir(), "mkpkg")
	out, err := exec.Command("go", "build", "-o", exe, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	syms, err := fileSymbols(exe)
	if err != nil {
		t.Fatalf("fileSymbols on an unstripped binary: %v", err)
	}
	st, _ := os.Stat(exe)
	_, _, total := symbolSizes(syms)
	if total == 0 || total > st.Size() {
		t.Fatalf("symbols add up to %d bytes in a %d-byte file", total, st.Size())
	}
}

func TestProviderCosts(t *testing.T) {
	got := providerCosts(map[string]int64{
		"github.com/eddns/eddns/providers/cloudflare": 10, "github.com/eddns/eddns/providers/huaweicloud": 5,
		"github.com/eddns/eddns/providers/registry": 1, "github.com/eddns/eddns/providers/cloudflare.Provider,github.com/eddns/eddns/providers": 2, "github.com/eddns/eddns/providers": 7, "encoding/json": 100,
	})
	if len(got) != 3 || got["cloudflare"] != 12 || got["huaweicloud"] != 5 || got["registry"] != 1 {
		t.Errorf("providerCosts = %v", got)
	}
}
