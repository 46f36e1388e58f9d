package privdrop

import (
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
