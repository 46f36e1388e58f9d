package netnstest

import (
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestNamespaceLifecycle(t *testing.T) {
	Require(t)
	var name string
	t.Run("inner", func(t *testing.T) {
		ns := New(t)
		name = ns.Name()
		if _, err := os.Stat(ns.Path()); err != nil {
			t.Fatalf("namespace path: %v", err)
		}
		if out := ns.Run(t, "ip", "link", "show", "lo"); !strings.Contains(out, "UP") {
			t.Fatalf("lo not up: %s", out)
		}
		ns.AddVeth(t, "a0", "a1")
		ns.AddrReplace(t, "a0", "2001:db8:5::1/64", 100, 200, "nodad")
		out := ns.Run(t, "ip", "-6", "addr", "show", "dev", "a0")
		if !strings.Contains(out, "2001:db8:5::1/64") || !strings.Contains(out, "preferred_lft 100sec") {
			t.Fatalf("address not added with lifetimes: %s", out)
		}
		ns.AddrDel(t, "a0", "2001:db8:5::1/64")
		if out := ns.Run(t, "ip", "-6", "addr", "show", "dev", "a0"); strings.Contains(out, "2001:db8:5::1") {
			t.Fatalf("address not removed: %s", out)
		}
		// The device exists only inside the namespace.
		if _, err := net.InterfaceByName("a0"); err == nil {
			t.Fatal("a0 visible outside the namespace")
		}
		err := ns.Do(t, func() error {
			_, err := net.InterfaceByName("a0")
			return err
		})
		if err != nil {
			t.Fatalf("Do: a0 not visible inside: %v", err)
		}
		ns.Sysctl(t, "net.ipv6.conf.a0.accept_ra", "2")
		if got := strings.TrimSpace(ns.Run(t, "cat", "/proc/sys/net/ipv6/conf/a0/accept_ra")); got != "2" {
			t.Fatalf("sysctl accept_ra = %q, want 2", got)
		}
	})
	if _, err := os.Stat("/run/netns/" + name); !os.IsNotExist(err) {
		t.Fatalf("namespace %s not removed after the test: %v", name, err)
	}
}

func TestVethAcrossNamespaces(t *testing.T) {
	a, b := New(t), New(t)
	a.AddVethTo(t, "x0", b, "x1")
	a.LinkUp(t, "x0")
	b.LinkUp(t, "x1")
	a.AddrReplace(t, "x0", "192.0.2.1/24", Forever, Forever)
	b.AddrReplace(t, "x1", "192.0.2.2/24", Forever, Forever)
	// A TCP round trip across the pair proves both ends are where they should be.
	var ln net.Listener
	if err := b.Do(t, func() (err error) { ln, err = net.Listen("tcp", "192.0.2.2:0"); return err }); err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			c.Write([]byte("hi"))
			c.Close()
		}
	}()
	var got []byte
	err := a.Do(t, func() error {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 2)
		n, err := c.Read(buf)
		got = buf[:n]
		return err
	})
	if err != nil || string(got) != "hi" {
		t.Fatalf("round trip: %q, %v", got, err)
	}
}
