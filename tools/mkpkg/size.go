package main

import (
	"bytes"
	"compress/gzip"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/target"
)

// Targets from DESIGN.md, printed next to the linux/mipsle figures.
const (
	mipsleBinaryTarget = 7.0 * 1000 * 1000
	mipsleIPKTarget    = 2.4 * 1000 * 1000 // .ipk and .apk
)

// cmdSize prints, per architecture, the stripped binary, its gzip size and
// the .ipk and .apk sizes, the arch-independent packages, then what each
// dependency costs in the mipsle binary.
// It reports; it never fails on a missed target.
func cmdSize(args []string) error {
	fs := flag.NewFlagSet("size", flag.ContinueOnError)
	out := fs.String("out", "dist", "directory holding the .ipk files (and apk/<arch>/*.apk)")
	binDir := fs.String("bindir", "build", "directory holding per-architecture binaries")
	mainPkg := fs.String("main", ".", "Go main package (for the symbol-size breakdown)")
	top := fs.Int("top", 25, "how many packages to list in the breakdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Printf("%-26s %12s %12s %12s %12s\n", "arch", "binary", "binary.gz", "ipk", "apk")
	for _, t := range target.All() {
		bin := filepath.Join(*binDir, t.Arch, "eddns")
		b, err := os.ReadFile(bin)
		if err != nil {
			fmt.Printf("%-26s %12s\n", t.Arch, "(not built)")
			continue
		}
		gz := gzipSize(b)
		ipkSize := globSize(filepath.Join(*out, "eddns_*_"+t.Arch+".ipk"))
		apkSize := globSize(filepath.Join(*out, "apk", t.Arch, "eddns-*.apk"))
		note := ""
		if t.Arch == "mipsel_24kc" {
			note = fmt.Sprintf("  targets: binary <= %s (%s), ipk and apk <= %s (%s, %s)",
				mb(mipsleBinaryTarget), verdict(float64(len(b)) <= mipsleBinaryTarget),
				mb(mipsleIPKTarget), verdict(ipkSize >= 0 && float64(ipkSize) <= mipsleIPKTarget),
				verdict(apkSize >= 0 && float64(apkSize) <= mipsleIPKTarget))
		}
		fmt.Printf("%-26s %12s %12s %12s %12s%s\n", t.Arch, mb(float64(len(b))), mb(float64(gz)), mbOrDash(ipkSize), mbOrDash(apkSize), note)
	}
	for _, name := range []string{"luci-app-eddns", "luci-i18n-eddns-zh-cn"} {
		ipkSize := globSize(filepath.Join(*out, name+"_*_all.ipk"))
		apkSize := globSize(filepath.Join(*out, "apk", "noarch", name+"-[0-9]*.apk"))
		if ipkSize >= 0 || apkSize >= 0 {
			fmt.Printf("%-26s %12s %12s %12s %12s\n", name, "", "", kbOrDash(ipkSize), kbOrDash(apkSize))
		}
	}

	// Symbol sizes need the symbol table, so build an unstripped twin.
	tmp, err := os.MkdirTemp("", "eddns-size")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	unstripped := filepath.Join(tmp, "eddns")
	if err := goBuild("mipsel_24kc", *mainPkg, unstripped, "size", 0, false); err != nil {
		return err
	}
	syms, err := fileSymbols(unstripped)
	if err != nil {
		return err
	}
	byPkg, byMod, total := symbolSizes(syms)
	fmt.Printf("\nlinux/mipsle symbol sizes by module (sum of symbols %s; the rest is pclntab, headers, padding)\n", mb(float64(total)))
	printTop(byMod, 25, total)
	fmt.Printf("\nlargest packages\n")
	printTop(byPkg, *top, total)
	fmt.Printf("\nprovider types (their own packages; shared code such as encoding/json is counted once above)\n")
	for _, name := range sortedKeys(providerCosts(byPkg)) {
		fmt.Printf("  %8.1f kB  %s\n", float64(providerCosts(byPkg)[name])/1000, name)
	}
	return nil
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	return keys
}

// providerCosts sums the symbols of each provider's packages
// (github.com/eddns/eddns/providers/NAME and below) by NAME.
func providerCosts(byPkg map[string]int64) map[string]int64 {
	const prefix = "github.com/eddns/eddns/providers/"
	out := map[string]int64{}
	for pkg, n := range byPkg {
		if rest, ok := strings.CutPrefix(pkg, prefix); ok {
			// Cut at "/" (sub-packages) and "." (symbols of generic
			// instantiations that name the package with a type).
			name := strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || r == '.' })[0]
			out[name] += n
		}
	}
	return out
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// globSize is the size of the one file matching pattern, or -1.
func globSize(pattern string) int64 {
	if m, _ := filepath.Glob(pattern); len(m) == 1 {
		if st, err := os.Stat(m[0]); err == nil {
			return st.Size()
		}
	}
	return -1
}

func kbOrDash(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f kB", float64(n)/1e3)
}

func mb(n float64) string { return fmt.Sprintf("%.2f MB", n/1e6) }

func mbOrDash(n int64) string {
	if n < 0 {
		return "-"
	}
	return mb(float64(n))
}

func gzipSize(b []byte) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Len()
}

// sym is one symbol that occupies space in the file.
type sym struct {
	name string
	size int64
}

// fileSymbols lists the symbols that take space in the ELF file. Symbols in
// NOBITS sections (.bss, .noptrbss) are skipped: they cost memory at run time
// but nothing on flash (one is a 32 MB crypto/internal/fips140/drbg buffer
// that `go tool nm` reports as data).
func fileSymbols(path string) ([]sym, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []sym
	for _, s := range syms {
		i := int(s.Section)
		if s.Size == 0 || i <= 0 || i >= len(f.Sections) || f.Sections[i].Type == elf.SHT_NOBITS {
			continue
		}
		out = append(out, sym{s.Name, int64(s.Size)})
	}
	return out, nil
}

// symbolSizes groups symbols by Go package and by module.
func symbolSizes(syms []sym) (byPkg, byMod map[string]int64, total int64) {
	byPkg, byMod = map[string]int64{}, map[string]int64{}
	for _, s := range syms {
		pkg := symbolPackage(s.name)
		byPkg[pkg] += s.size
		byMod[moduleOf(pkg)] += s.size
		total += s.size
	}
	return byPkg, byMod, total
}

// symbolPackage extracts the import path from a symbol name such as
// "github.com/vishvananda/netlink.(*Handle).LinkList", "type:*net/http.Client"
// or a generic instantiation "slices.SortFunc[...]".
func symbolPackage(sym string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range []string{"type:", "go:itab.", "go:func.", "go:", ".eq.", "*", "[]"} {
			if strings.HasPrefix(sym, p) {
				sym, changed = sym[len(p):], true
			}
		}
		if strings.HasPrefix(sym, "[") { // array type "[16]T"
			if i := strings.Index(sym, "]"); i > 0 {
				sym, changed = sym[i+1:], true
			}
		}
	}
	if i := strings.Index(sym, "["); i >= 0 { // type arguments
		sym = sym[:i]
	}
	slash := strings.LastIndex(sym, "/")
	dot := strings.Index(sym[slash+1:], ".")
	if dot <= 0 {
		return "(runtime data)"
	}
	return sym[:slash+1+dot]
}

func moduleOf(pkg string) string {
	if pkg == "main" {
		return "github.com/eddns/eddns"
	}
	for _, m := range []string{"github.com/eddns/eddns", "github.com/vishvananda/netlink", "github.com/vishvananda/netns",
		"github.com/mdlayher/ndp", "github.com/mdlayher/socket", "github.com/jessevdk/go-flags",
		"golang.org/x/net", "golang.org/x/sys", "golang.org/x/text"} {
		if pkg == m || strings.HasPrefix(pkg, m+"/") {
			return m
		}
	}
	if first, _, _ := strings.Cut(pkg, "/"); strings.Contains(first, ".") {
		return pkg // another module: list it by itself
	}
	return "std: " + topStd(pkg)
}

// topStd groups the standard library by its first path element (net, crypto...).
func topStd(pkg string) string {
	first, _, _ := strings.Cut(pkg, "/")
	return first
}

func printTop(m map[string]int64, n int, total int64) {
	type kv struct {
		k string
		v int64
	}
	var list []kv
	for k, v := range m {
		list = append(list, kv{k, v})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].v > list[j].v || list[i].v == list[j].v && list[i].k < list[j].k })
	if n > 0 && len(list) > n {
		list = list[:n]
	}
	for _, e := range list {
		fmt.Printf("  %10s %5.1f%%  %s\n", mb(float64(e.v)), 100*float64(e.v)/float64(total), e.k)
	}
}
