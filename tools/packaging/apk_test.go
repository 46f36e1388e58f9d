package packaging

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eddns/eddns/tools/mkpkg/apk"
	"github.com/eddns/eddns/tools/mkpkg/ipk"
	"github.com/eddns/eddns/tools/mkpkg/target"
)

func apkPath(dist, arch string) string {
	return filepath.Join(dist, "apk", arch, "eddns-"+testVersion+"-r"+testRelease+".apk")
}

func readAPK(t *testing.T, path string) *apk.Parsed {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := apk.ReadPackage(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := p.CheckOpenWrt(testEpoch); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// apkTree maps each path of an .apk outside /lib/apk/packages to its mode
// and content.
func apkTree(p *apk.Parsed) map[string]string {
	m := map[string]string{}
	for _, d := range p.Dirs {
		for _, e := range d.Files {
			if path := d.Path(e); !strings.HasPrefix(path, apk.MetaDir+"/") {
				m[path] = string(rune(e.Mode)) + string(e.Data)
			}
		}
	}
	return m
}

// ipkTree is the same for an .ipk's data.tar.gz.
func ipkTree(t *testing.T, path string) map[string]string {
	p, _ := readIPK(t, path)
	m := map[string]string{}
	for _, mem := range p.Data {
		if mem.Typeflag == '0' {
			m[strings.TrimPrefix(mem.Name, ".")] = string(rune(mem.Mode)) + string(mem.Body)
		}
	}
	return m
}

// TestBuiltAPKs: every architecture's .apk verifies (block layout, file
// hashes, unique id), follows OpenWrt's conventions, carries the right
// arch and license, and installs exactly the files of the .ipk built from
// the same description, with the same modes.
func TestBuiltAPKs(t *testing.T) {
	dist, _ := buildAll(t)
	for _, tg := range target.All() {
		t.Run(tg.Arch, func(t *testing.T) {
			p := readAPK(t, apkPath(dist, tg.Arch))
			for k, v := range map[string]string{
				"name": "eddns", "version": testVersion + "-r" + testRelease, "arch": tg.Arch,
				"license": "Apache-2.0", "origin": "feeds/packages/net/eddns",
			} {
				if p.Info[k] != v {
					t.Errorf("info %s = %q, want %q", k, p.Info[k], v)
				}
			}
			if got := strings.Join(p.Depends, " "); got != "ca-bundle libc" {
				t.Errorf("depends %q", got)
			}
			ip, _ := readIPK(t, ipkPath(dist, tg.Arch))
			if l, _ := ipk.Get(ip.Fields, "License"); l != "Apache-2.0" {
				t.Errorf(".ipk License %q", l)
			}
			got, want := apkTree(p), ipkTree(t, ipkPath(dist, tg.Arch))
			if len(got) != len(want) {
				t.Errorf("apk has %d files, ipk %d", len(got), len(want))
			}
			for path, w := range want {
				if got[path] != w {
					t.Errorf("%s differs between .apk and .ipk", path)
				}
			}
			meta := map[string]string{}
			for _, d := range p.Dirs {
				for _, e := range d.Files {
					meta[d.Path(e)] = string(e.Data)
				}
			}
			if meta[apk.MetaDir+"/eddns.rusers"] != "eddns:eddns\n" {
				t.Errorf("rusers %q", meta[apk.MetaDir+"/eddns.rusers"])
			}
			list := strings.Split(strings.TrimSpace(meta[apk.MetaDir+"/eddns.list"]), "\n")
			if !sort.StringsAreSorted(list) || !contains(list, "/etc/init.d/eddns") || !contains(list, "/etc/uci-defaults/80-eddns") {
				t.Errorf("eddns.list = %q", list)
			}
			if !strings.HasPrefix(meta[apk.MetaDir+"/eddns.conffiles_static"], "/etc/config/eddns ") {
				t.Errorf("conffiles_static %q", meta[apk.MetaDir+"/eddns.conffiles_static"])
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestLuCIAPKs: both LuCI packages are noarch .apk files that verify and
// carry the files of their .ipk twins.
func TestLuCIAPKs(t *testing.T) {
	dist := t.TempDir()
	for _, c := range []struct{ spec, name string }{
		{"luci-app-eddns/ipk.json", "luci-app-eddns"},
		{i18nSpec, i18nPkg},
	} {
		buildSpec(t, c.spec, dist, testEpoch)
		p := readAPK(t, filepath.Join(dist, "apk", "noarch", c.name+"-"+testVersion+"-r"+testRelease+".apk"))
		if p.Info["arch"] != "noarch" || p.Info["license"] != "Apache-2.0" {
			t.Errorf("%s: arch %q license %q", c.name, p.Info["arch"], p.Info["license"])
		}
		got, want := apkTree(p), ipkTree(t, filepath.Join(dist, c.name+"_"+testVersion+"-"+testRelease+"_all.ipk"))
		if len(got) != len(want) {
			t.Errorf("%s: apk has %d files, ipk %d", c.name, len(got), len(want))
		}
		for path, w := range want {
			if got[path] != w {
				t.Errorf("%s: %s differs between .apk and .ipk", c.name, path)
			}
		}
		// The package's own postinst part runs after default_postinst.
		post := p.Scripts["post-install"]
		if i := strings.Index(post, "default_postinst\n"); i < 0 || !bytes.Contains([]byte(post[i:]), []byte("IPKG_INSTROOT")) {
			t.Errorf("%s: post-install lacks its package part: %q", c.name, post)
		}
	}
}
