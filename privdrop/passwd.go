package privdrop

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Lookup resolves name, its primary group and the groups that list it as
// a member, from /etc/passwd and /etc/group, the way initgroups(3) (which
// procd and ujail call) sees them.
func Lookup(name string) (Creds, error) {
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		return Creds{}, fmt.Errorf("privdrop: %w", err)
	}
	group, err := os.ReadFile("/etc/group")
	if err != nil {
		return Creds{}, fmt.Errorf("privdrop: %w", err)
	}
	return lookup(name, passwd, group)
}

func lookup(name string, passwd, group []byte) (Creds, error) {
	c, ok := findUser(name, passwd)
	if !ok {
		return Creds{}, fmt.Errorf("privdrop: no user %q in /etc/passwd", name)
	}
	if c.UID == 0 {
		return Creds{}, fmt.Errorf("privdrop: user %q is root; that drops nothing", name)
	}
	c.Groups = append(c.Groups, c.GID)
	for _, g := range memberOf(name, group) {
		if g != c.GID {
			c.Groups = append(c.Groups, g)
		}
	}
	return c, nil
}

// findUser reads passwd(5) lines: name:password:uid:gid:gecos:home:shell.
func findUser(name string, passwd []byte) (Creds, bool) {
	sc := bufio.NewScanner(bytes.NewReader(passwd))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 4 || f[0] != name {
			continue
		}
		uid, err1 := strconv.ParseUint(f[2], 10, 31)
		gid, err2 := strconv.ParseUint(f[3], 10, 31)
		if err1 != nil || err2 != nil {
			return Creds{}, false
		}
		return Creds{Name: name, UID: int(uid), GID: int(gid)}, true
	}
	return Creds{}, false
}

// memberOf reads group(5) lines: name:password:gid:member,member,...
func memberOf(name string, group []byte) []int {
	var out []int
	sc := bufio.NewScanner(bytes.NewReader(group))
	for sc.Scan() {
		f := strings.Split(sc.Text(), ":")
		if len(f) < 4 {
			continue
		}
		gid, err := strconv.ParseUint(f[2], 10, 31)
		if err != nil {
			continue
		}
		for _, m := range strings.Split(f[3], ",") {
			if m == name {
				out = append(out, int(gid))
				break
			}
		}
	}
	return out
}
