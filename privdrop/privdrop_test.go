package privdrop

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// A /proc/PID/status excerpt as Linux 6.x prints it (fs/proc/array.c).
const sample = `Name:	eddns
Uid:	65534	65534	65534	65534
Gid:	65534	65534	65534	65534
CapInh:	0000000000000000
CapPrm:	0000000000002000
CapEff:	0000000000002000
CapBnd:	0000000000002000
CapAmb:	0000000000000000
NoNewPrivs:	1
`

func TestParseStatus(t *testing.T) {
	st, err := ParseStatus([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := Status{UIDs: [4]int{65534, 65534, 65534, 65534}, CapPrm: 1 << 13, CapEff: 1 << 13, CapBnd: 1 << 13}
	if st != want {
		t.Fatalf("got %+v, want %+v", st, want)
	}
	for _, bad := range []string{
		"", strings.Replace(sample, "CapBnd", "CapXXX", 1), strings.Replace(sample, "65534\t65534\t65534\t65534", "1 2", 1),
		strings.Replace(sample, "0000000000002000", "zz", 1),
	} {
		if _, err := ParseStatus([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

// TestVerifyThisProcess: the checker agrees with the kernel about the test
// process itself, and reports a mismatch naming the thread.
func TestVerifyThisProcess(t *testing.T) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	st, err := ParseStatus(b)
	if err != nil {
		t.Fatal(err)
	}
	if st.CapEff != st.CapPrm || st.CapEff != st.CapBnd || st.UIDs[0] != st.UIDs[1] {
		t.Skip("test process has mixed credentials")
	}
	if err := Verify(st.UIDs[0], st.CapEff); err != nil {
		t.Errorf("Verify of our own credentials: %v", err)
	}
	if err := Verify(st.UIDs[0]+1, st.CapEff); err == nil || !strings.Contains(err.Error(), "thread") {
		t.Errorf("Verify with a wrong uid: %v", err)
	}
}

func TestDropRefusesWithoutRoot(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("runs as root; the e2e privilege tests cover the real drop")
	}
	if err := Drop(Creds{Name: "x", UID: 1, GID: 1}, 13); err == nil || !strings.Contains(err.Error(), "needs root") {
		t.Fatalf("Drop as non-root: %v", err)
	}
}

func TestLookupRejectsRoot(t *testing.T) {
	if _, err := Lookup("root"); err == nil {
		t.Fatal("Lookup(root) succeeded")
	}
	if _, err := Lookup("no-such-user-eddns"); err == nil {
		t.Fatal("Lookup of a missing user succeeded")
	}
	c, err := Lookup("nobody")
	if err != nil {
		t.Skip(err)
	}
	if c.UID == 0 || len(c.Groups) == 0 || c.Groups[0] != c.GID {
		t.Fatalf("nobody: %+v", c)
	}
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte(sample))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = ParseStatus(b)
	})
}

const (
	samplePasswd = "root:x:0:0:root:/root:/bin/ash\n" +
		"daemon:*:1:1:daemon:/var:/bin/false\n" +
		"eddns:x:411:411:eddns:/var/run/eddns:/bin/false\n" +
		"broken:x:abc:1::/:/bin/false\n"
	sampleGroup = "root:x:0:\n" +
		"eddns:x:411:\n" +
		"network:x:101:dnsmasq,eddns\n" +
		"odd:x:zz:eddns\n" +
		"logd:x:514:logd\n"
)

func TestLookupParsesPasswdAndGroup(t *testing.T) {
	c, err := lookup("eddns", []byte(samplePasswd), []byte(sampleGroup))
	if err != nil {
		t.Fatal(err)
	}
	want := Creds{Name: "eddns", UID: 411, GID: 411, Groups: []int{411, 101}}
	if c.Name != want.Name || c.UID != want.UID || c.GID != want.GID || fmt.Sprint(c.Groups) != fmt.Sprint(want.Groups) {
		t.Fatalf("got %+v, want %+v", c, want)
	}
	for _, name := range []string{"root", "nobody", "broken", ""} {
		if _, err := lookup(name, []byte(samplePasswd), []byte(sampleGroup)); err == nil {
			t.Errorf("lookup(%q) succeeded", name)
		}
	}
}

func FuzzLookup(f *testing.F) {
	f.Add("eddns", []byte(samplePasswd), []byte(sampleGroup))
	f.Fuzz(func(t *testing.T, name string, passwd, group []byte) {
		c, err := lookup(name, passwd, group)
		if err == nil && (c.UID <= 0 || len(c.Groups) == 0 || c.Groups[0] != c.GID) {
			t.Fatalf("lookup(%q) = %+v", name, c)
		}
	})
}
