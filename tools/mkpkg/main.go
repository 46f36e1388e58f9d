// Command mkpkg cross-compiles eddns and writes OpenWrt .ipk packages without
// an OpenWrt SDK.
//
//	mkpkg build   -spec openwrt/eddns.json -version 1.0.0 [-arch "mipsel_24kc x86_64"]
//	mkpkg pack    -spec S -arch A -version V -var BIN=path   (package only)
//	mkpkg inspect dist/eddns_1.0.0-1_mipsel_24kc.ipk
//	mkpkg size    [-arch ...]                                (print sizes)
//
// Packages are reproducible: the same sources, Go toolchain and -epoch
// (SOURCE_DATE_EPOCH) give byte-identical files.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/eddns/eddns/tools/mkpkg/ipk"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mkpkg build|pack|inspect|size [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = cmdBuild(os.Args[2:], true)
	case "pack":
		err = cmdBuild(os.Args[2:], false)
	case "inspect":
		err = cmdInspect(os.Args[2:])
	case "size":
		err = cmdSize(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkpkg:", err)
		os.Exit(1)
	}
}

// varFlags collects repeated -var NAME=VALUE flags.
type varFlags map[string]string

func (v varFlags) String() string { return "" }
func (v varFlags) Set(s string) error {
	k, val, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("-var %q: want NAME=VALUE", s)
	}
	v[k] = val
	return nil
}

type buildOpts struct {
	spec, version, release, arches, out, binDir, mainPkg, root string
	epoch                                                      int64
	vars                                                       varFlags
}

func commonFlags(fs *flag.FlagSet, o *buildOpts) {
	fs.StringVar(&o.spec, "spec", "openwrt/eddns.json", "package description (JSON)")
	fs.StringVar(&o.version, "version", "", "upstream version (default: the spec's)")
	fs.StringVar(&o.release, "release", "", "package release (default: the spec's)")
	fs.StringVar(&o.arches, "arch", "", "space-separated OpenWrt architectures (default: all known)")
	fs.StringVar(&o.out, "out", "dist", "output directory for .ipk files")
	fs.StringVar(&o.binDir, "bindir", "build", "directory for per-architecture binaries")
	fs.StringVar(&o.mainPkg, "main", ".", "Go main package to build")
	fs.StringVar(&o.root, "root", ".", "directory relative file sources are read from")
	fs.Int64Var(&o.epoch, "epoch", epochFromEnv(), "timestamp for every archive member (SOURCE_DATE_EPOCH)")
}

func epochFromEnv() int64 {
	for _, k := range []string{"PKG_SOURCE_DATE_EPOCH", "SOURCE_DATE_EPOCH"} {
		if v, err := strconv.ParseInt(os.Getenv(k), 10, 64); err == nil {
			return v
		}
	}
	return -1
}

func cmdBuild(args []string, compile bool) error {
	o := buildOpts{vars: varFlags{}}
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	commonFlags(fs, &o)
	fs.Var(o.vars, "var", "NAME=VALUE substituted for ${NAME} in file sources (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.epoch < 0 {
		return errors.New("no -epoch and no SOURCE_DATE_EPOCH: refusing to stamp the current time")
	}
	base, err := ipk.LoadSpec(o.spec)
	if err != nil {
		return err
	}
	if o.version != "" {
		base.Version = o.version
	}
	if o.release != "" {
		base.Release = o.release
	}
	arches := strings.Fields(o.arches)
	if base.Architecture == "all" {
		arches = []string{"all"} // one package for every router, nothing to compile
	} else if len(arches) == 0 {
		for _, t := range target.All() {
			arches = append(arches, t.Arch)
		}
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	for _, arch := range arches {
		s := *base
		s.Files = append([]ipk.File(nil), base.Files...)
		s.Architecture = arch
		vars := varFlags{}
		for k, v := range o.vars {
			vars[k] = v
		}
		if compile && arch != "all" {
			bin := filepath.Join(o.binDir, arch, "eddns")
			if err := goBuild(arch, o.mainPkg, bin, s.Version, true); err != nil {
				return err
			}
			vars["BIN"] = bin
		}
		if err := s.Expand(vars); err != nil {
			return err
		}
		b, err := ipk.Build(&s, o.root, o.epoch)
		if err != nil {
			return err
		}
		dst := filepath.Join(o.out, s.FileName())
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s (%d bytes)\n", dst, len(b))
	}
	return nil
}

// goBuild cross-compiles a static binary. strip=false keeps the symbol
// table, which the size report needs.
func goBuild(arch, mainPkg, out, version string, strip bool) error {
	t, err := target.Lookup(arch)
	if err != nil {
		return err
	}
	ldflags := "-X main.version=" + version
	if strip {
		ldflags = "-s -w " + ldflags
	}
	args := append(append([]string{"build"}, target.GoFlags()...), "-ldflags", ldflags, "-o", out, mainPkg)
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), t.BuildEnv()...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "%s go %s\n", strings.Join(t.BuildEnv(), " "), strings.Join(quote(args), " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build for %s: %w", arch, err)
	}
	return nil
}

func quote(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if strings.ContainsAny(a, " \t") {
			a = strconv.Quote(a)
		}
		out[i] = a
	}
	return out
}

func cmdInspect(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: mkpkg inspect FILE.ipk")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	p, err := ipk.Read(b)
	if err != nil {
		return err
	}
	for _, part := range []struct {
		name string
		ms   []ipk.Member
	}{{"outer", p.Outer}, {"control.tar.gz", p.Control}, {"data.tar.gz", p.Data}} {
		fmt.Printf("== %s\n", part.name)
		for _, m := range part.ms {
			fmt.Printf("%c %04o %d/%d %8d %s\n", m.Typeflag, m.Mode, m.UID, m.GID, len(m.Body), m.Name)
		}
	}
	fmt.Println("== control")
	for _, f := range p.Fields {
		fmt.Printf("%s: %s\n", f.Name, strings.ReplaceAll(f.Value, "\n", "\n "))
	}
	return nil
}
