// Command mkpkg cross-compiles eddns and writes OpenWrt packages without an
// OpenWrt SDK, from one description per package: .ipk (opkg, OpenWrt 24.10
// and older) and .apk (apk-tools v3, OpenWrt 25.12 and later).
//
//	mkpkg build   -spec openwrt/eddns.json -version 1.0.0 [-arch "mipsel_24kc x86_64"] [-format ipk,apk]
//	mkpkg pack    -spec S -arch A -version V -var BIN=path   (package only)
//	mkpkg inspect dist/eddns_1.0.0-1_mipsel_24kc.ipk | dist/apk/x86_64/eddns-1.0.0-r1.apk
//	mkpkg feed    -in dist -out dist/feed [-apk-key k.pem] [-usign-key k.sec]
//	mkpkg keygen  -apk-key k.pem -usign-key k.sec            (throwaway feed keys)
//	mkpkg version                                            (version of this checkout)
//	mkpkg verify  [-epoch N] dist/apk/*/*.apk                (read back and check .apk files)
//	mkpkg size    [-arch ...]                                (print sizes)
//
// .ipk files go to <out>/, .apk files to <out>/apk/<arch>/ (arch "noarch"
// for arch-independent packages). Packages are reproducible: the same
// sources, Go toolchain and -epoch (SOURCE_DATE_EPOCH) give byte-identical
// files.
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

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/ipk"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mkpkg build|pack|inspect|verify|feed|keygen|version|size [flags]")
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
	case "feed":
		err = cmdFeed(os.Args[2:])
	case "keygen":
		err = cmdKeygen(os.Args[2:])
	case "version":
		err = cmdVersion(os.Args[2:])
	case "verify":
		err = cmdVerify(os.Args[2:])
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
	spec, version, release, arches, out, binDir, mainPkg, root, format string
	epoch                                                              int64
	vars                                                               varFlags
}

func commonFlags(fs *flag.FlagSet, o *buildOpts) {
	fs.StringVar(&o.spec, "spec", "openwrt/eddns.json", "package description (JSON)")
	fs.StringVar(&o.version, "version", "", "upstream version (default: the spec's)")
	fs.StringVar(&o.release, "release", "", "package release (default: the spec's)")
	fs.StringVar(&o.arches, "arch", "", "space-separated OpenWrt architectures (default: all known)")
	fs.StringVar(&o.out, "out", "dist", "output directory (.ipk in it, .apk in <out>/apk/<arch>/)")
	fs.StringVar(&o.format, "format", "ipk", "package formats to write: ipk, apk or ipk,apk")
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
	formats, err := parseFormats(o.format)
	if err != nil {
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
			if err := goBuild(arch, o.mainPkg, bin, s.Version, o.epoch, true); err != nil {
				return err
			}
			vars["BIN"] = bin
		}
		if err := s.Expand(vars); err != nil {
			return err
		}
		for _, f := range formats {
			dst, b, err := pack(f, &s, o)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				return err
			}
			fmt.Printf("%s (%d bytes)\n", dst, len(b))
		}
	}
	return nil
}

func parseFormats(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		switch f = strings.TrimSpace(f); f {
		case "ipk", "apk":
			out = append(out, f)
		default:
			return nil, fmt.Errorf("-format %q: want ipk, apk or ipk,apk", s)
		}
	}
	return out, nil
}

// pack writes one package of the expanded spec s; it returns where the
// file goes and its bytes.
func pack(format string, s *ipk.Spec, o buildOpts) (string, []byte, error) {
	if format == "ipk" {
		b, err := ipk.Build(s, o.root, o.epoch)
		return filepath.Join(o.out, s.FileName()), b, err
	}
	p, err := apk.FromSpec(s, o.root, o.epoch)
	if err != nil {
		return "", nil, err
	}
	b, err := p.Build()
	if err != nil {
		return "", nil, err
	}
	return filepath.Join(o.out, "apk", p.Arch, p.FileName()), b, nil
}

// goBuild cross-compiles a static binary. strip=false keeps the symbol
// table, which the size report needs. epoch (SOURCE_DATE_EPOCH) is stamped
// as the build time, the earliest time TLS certificates are checked at.
func goBuild(arch, mainPkg, out, version string, epoch int64, strip bool) error {
	t, err := target.Lookup(arch)
	if err != nil {
		return err
	}
	ldflags := "-X main.version=" + version
	if epoch > 0 {
		ldflags += " -X " + BuildEpochVar + "=" + strconv.FormatInt(epoch, 10)
	}
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

// BuildEpochVar is the variable -ldflags -X stamps the build time into.
const BuildEpochVar = "github.com/eddns/eddns/httpc.buildEpoch"

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
		return errors.New("usage: mkpkg inspect FILE.ipk|FILE.apk")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	if strings.HasSuffix(args[0], ".apk") {
		return inspectAPK(b)
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

// inspectAPK verifies an .apk (format, hashes, unique id) and prints it.
func inspectAPK(b []byte) error {
	p, err := apk.ReadPackage(b)
	if err != nil {
		return err
	}
	fmt.Println("== info")
	for _, k := range []string{"name", "version", "description", "arch", "license", "origin", "url", "maintainer"} {
		fmt.Printf("%s: %s\n", k, p.Info[k])
	}
	fmt.Printf("hashes: %x\ninstalled-size: %d\ndepends: %s\nprovides: %s\n",
		p.ID, p.InstalledSize, strings.Join(p.Depends, " "), strings.Join(p.Provides, " "))
	fmt.Println("== paths")
	for _, d := range p.Dirs {
		fmt.Printf("d %04o %s:%s %8s /%s\n", d.Mode, d.User, d.Group, "", d.Name)
		for _, e := range d.Files {
			fmt.Printf("f %04o %s:%s %8d %s\n", e.Mode, e.User, e.Group, e.Size, d.Path(e))
		}
	}
	for _, name := range []string{"pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-deinstall", "post-deinstall"} {
		if s, ok := p.Scripts[name]; ok {
			fmt.Printf("== %s\n%s", name, s)
		}
	}
	return nil
}
