package detect

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/eddns/eddns/internal/netnstest"
	"golang.org/x/sys/unix"
)

// TestNetlinkIgnoresProcessSenders: a process with CAP_NET_ADMIN can send
// to the watcher's netlink port directly. Its forged RTM_NEWADDR (claiming
// an address on device 1) must never be read as the kernel's word; the
// kernel's own dump reply that follows is.
func TestNetlinkIgnoresProcessSenders(t *testing.T) {
	ns := netnstest.New(t)
	var c *nlConn
	var forger int
	if err := ns.Do(t, func() (err error) {
		if c, err = dialNetlink(unix.RTMGRP_LINK|unix.RTMGRP_IPV6_IFADDR, 0); err != nil {
			return err
		}
		forger, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		return unix.Bind(forger, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
	}); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer unix.Close(forger)

	// RTM_NEWADDR: nlmsghdr, ifaddrmsg (AF_INET6, /64, index 1), IFA_ADDRESS 2001:db8::bad.
	const forgedSeq = 0xbad
	msg := make([]byte, unix.NLMSG_HDRLEN+unix.SizeofIfAddrmsg+4+16)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:4], uint32(len(msg)))
	ne.PutUint16(msg[4:6], unix.RTM_NEWADDR)
	ne.PutUint32(msg[8:12], forgedSeq)
	ifa := msg[unix.NLMSG_HDRLEN:]
	ifa[0], ifa[1] = unix.AF_INET6, 64
	ne.PutUint32(ifa[4:8], 1)
	rta := ifa[unix.SizeofIfAddrmsg:]
	ne.PutUint16(rta[0:2], 4+16)
	ne.PutUint16(rta[2:4], unix.IFA_ADDRESS)
	copy(rta[4:], []byte{0x20, 0x01, 0x0d, 0xb8, 14: 0x0b, 15: 0xad})
	if err := unix.Sendto(forger, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: c.pid}); err != nil {
		t.Fatalf("forged send: %v", err)
	}
	seq, err := c.requestDump(unix.RTM_GETLINK)
	if err != nil {
		t.Fatal(err)
	}
	c.f.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := c.receive()
	if err != nil {
		t.Fatal(err)
	}
	if got := ne.Uint32(b[8:12]); got != seq {
		t.Fatalf("first datagram read has seq %#x (type %d), want the kernel's dump reply %#x", got, ne.Uint16(b[4:6]), seq)
	}
	if c.foreign != 1 {
		t.Errorf("foreign datagrams dropped: %d, want 1", c.foreign)
	}
}
