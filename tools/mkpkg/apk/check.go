package apk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

// CheckOpenWrt checks what OpenWrt 25.12's build puts into every package
// (include/package-pack.mk) and what its base-files rely on: the info
// fields, "libc" and "<name>-any", no signature, root:root and one mtime
// everywhere, every directory present, /lib/apk/packages/<name>.list
// naming every file, .conffiles_static hashes that match, and the
// generated scripts that call add_group_and_user, default_postinst and
// default_prerm (/lib/functions.sh finds init scripts and uci-defaults
// through <name>.list).
func (p *Parsed) CheckOpenWrt(epoch int64) error {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	name := p.Info["name"]
	for _, f := range []string{"name", "version", "description", "arch", "license", "origin", "url", "maintainer"} {
		if p.Info[f] == "" {
			bad("info field %s is empty", f)
		}
	}
	if !strings.Contains(p.Info["version"], "-r") {
		bad("version %q has no -r<release>", p.Info["version"])
	}
	if !contains(p.Depends, "libc") {
		bad("depends %q lacks libc", p.Depends)
	}
	if !contains(p.Provides, name+"-any") {
		bad("provides %q lacks %s-any", p.Provides, name)
	}
	if p.Signatures != 0 {
		bad("package is signed; OpenWrt 25.12 packages are not")
	}
	dirs := map[string]bool{}
	files := map[string]*Entry{}
	var regular []string
	for i := range p.Dirs {
		d := &p.Dirs[i]
		dirs[d.Name] = true
		if d.User != "root" || d.Group != "root" {
			bad("directory /%s owned by %s:%s", d.Name, d.User, d.Group)
		}
		for j := range d.Files {
			e := &d.Files[j]
			pth := d.Path(*e)
			files[pth] = e
			regular = append(regular, pth)
			if e.User != "root" || e.Group != "root" {
				bad("%s owned by %s:%s", pth, e.User, e.Group)
			}
			if e.Mtime != uint64(epoch) {
				bad("%s mtime %d, want SOURCE_DATE_EPOCH %d", pth, e.Mtime, epoch)
			}
		}
	}
	if !dirs[""] {
		bad("the root directory is not listed")
	}
	for d := range dirs {
		if d != "" && !dirs[parent(d)] {
			bad("directory /%s has no entry for its parent", d)
		}
	}
	meta := MetaDir + "/" + name
	list, ok := files[meta+".list"]
	if !ok {
		bad("%s.list is missing: default_postinst would not find the init scripts", meta)
	} else {
		var want []string
		for _, f := range regular {
			if f != meta+".list" && f != meta+".conffiles" && f != meta+".conffiles_static" {
				want = append(want, f)
			}
		}
		sort.Strings(want)
		if got := string(list.Data); got != strings.Join(want, "\n")+"\n" {
			bad("%s.list is %q, want %q", meta, got, strings.Join(want, "\n")+"\n")
		}
	}
	if cf, ok := files[meta+".conffiles"]; ok {
		var static []string
		for _, c := range strings.Fields(string(cf.Data)) {
			e, ok := files[c]
			if !ok {
				continue
			}
			sum := sha256.Sum256(e.Data)
			static = append(static, c+" "+hex.EncodeToString(sum[:]))
		}
		st, ok := files[meta+".conffiles_static"]
		switch {
		case !ok && len(static) > 0:
			bad("%s.conffiles_static is missing", meta)
		case ok && string(st.Data) != strings.Join(static, "\n")+"\n":
			bad("%s.conffiles_static is %q, want %q", meta, st.Data, strings.Join(static, "\n")+"\n")
		}
	}
	for script, calls := range map[string][]string{
		"post-install":  {`export pkgname="` + name + `"`, "add_group_and_user", "default_postinst"},
		"post-upgrade":  {"export PKG_UPGRADE=1", "default_postinst"},
		"pre-deinstall": {`export pkgname="` + name + `"`, "default_prerm"},
	} {
		s, ok := p.Scripts[script]
		if !ok {
			bad("no %s script", script)
			continue
		}
		if !strings.HasPrefix(s, "#!/bin/sh\n") {
			bad("%s does not start with #!/bin/sh", script)
		}
		for _, c := range calls {
			if !containsLine(s, c) {
				bad("%s lacks the line %q", script, c)
			}
		}
	}
	if len(errs) > 0 {
		return errors.New("apk: " + name + ": " + strings.Join(errs, "; "))
	}
	return nil
}

func parent(d string) string {
	if p := path.Dir(d); p != "." {
		return p
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsLine(s, line string) bool {
	for _, l := range strings.Split(s, "\n") {
		if l == line {
			return true
		}
	}
	return false
}
