package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// This file speaks rtnetlink directly instead of through
// vishvananda/netlink's AddrSubscribe/LinkSubscribe, for three reasons:
//
//   - Those helpers drop NLMSG_DONE, so a subscriber cannot tell when the
//     ListExisting dump is complete (Watcher.Ready needs exactly that).
//   - Address and link events arrive on two sockets, so their relative order
//     is lost: after a PPPoE redial the addresses of the new pppoe-wan can be
//     read before the link that says which name the new ifindex has.
//   - Every message is copied several times and links are fully decoded
//     (statistics included). The path from a kernel event to Changes should be
//     one read into a reused buffer and a few field loads.
//
// Everything the kernel says is turned at once into linkMsg and addrMsg (see
// nlParser); no netlink structure leaves this file.

// recvBufSize is large enough for any rtnetlink datagram: the kernel caps a
// dump skb at 32 KiB, and notifications are a few hundred bytes.
const recvBufSize = 64 << 10

// sockRcvBuf is the socket receive buffer we ask for. A bigger buffer makes
// ENOBUFS (lost events, answered by a full re-dump) rarer during bursts such as
// a PPPoE redial on a router with many addresses.
const sockRcvBuf = 1 << 20

// errDumpInterrupted reports that the kernel flagged a dump as inconsistent
// (NLM_F_DUMP_INTR): the table changed while it was being read.
var errDumpInterrupted = errors.New("netlink dump interrupted")

// linkMsg is a normalised RTM_NEWLINK/RTM_DELLINK.
type linkMsg struct {
	index int
	name  []byte // aliases the receive buffer; copy before keeping
	up    bool   // IFF_UP and IFF_RUNNING
	del   bool
}

// addrMsg is a normalised RTM_NEWADDR/RTM_DELADDR.
type addrMsg struct {
	index int
	addr  Addr // Seen is left zero; the caller stamps it
	del   bool
}

// nlConn is a NETLINK_ROUTE socket driven by the Go poller, so a blocked read
// ends when the socket is closed.
type nlConn struct {
	f    *os.File
	rc   syscall.RawConn
	pid  uint32 // our netlink port id, the destination of dump replies
	seq  uint32
	buf  []byte
	n    int
	rerr error
	read func(fd uintptr) bool // bound once so reads do not allocate a closure
	// foreign counts datagrams dropped because a process, not the kernel,
	// sent them.
	foreign int
}

// dialNetlink opens a NETLINK_ROUTE socket joined to the given RTMGRP_*
// groups (0 for a socket used only for dumps), with a receive buffer of
// rcvBuf bytes (0: the system default).
func dialNetlink(groups uint32, rcvBuf int) (*nlConn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink socket: %w", err)
	}
	if rcvBuf > 0 {
		// SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it the kernel clamps
		// SO_RCVBUF to rmem_max, which is still better than the default.
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvBuf) != nil {
			_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvBuf)
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink bind: %w", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("netlink getsockname: %w", err)
	}
	nsa, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		unix.Close(fd)
		return nil, errors.New("netlink getsockname: not a netlink address")
	}
	c := &nlConn{f: os.NewFile(uintptr(fd), "netlink"), pid: nsa.Pid, buf: make([]byte, recvBufSize)}
	if c.rc, err = c.f.SyscallConn(); err != nil {
		c.f.Close()
		return nil, fmt.Errorf("netlink: %w", err)
	}
	c.read = c.readOnce
	return c, nil
}

// Close closes the socket; a blocked receive returns an error.
func (c *nlConn) Close() error { return c.f.Close() }

// readOnce reads the next datagram sent by the kernel. Datagrams from any
// other sender (nl_pid != 0: a process with CAP_NET_ADMIN can unicast to our
// port) are dropped unread: only the kernel reports addresses.
func (c *nlConn) readOnce(fd uintptr) bool {
	for {
		var from unix.Sockaddr
		c.n, from, c.rerr = unix.Recvfrom(int(fd), c.buf, 0)
		if c.rerr != nil {
			return c.rerr != unix.EAGAIN
		}
		if sa, ok := from.(*unix.SockaddrNetlink); ok && sa.Pid == 0 {
			return true
		}
		c.foreign++
	}
}

// receive blocks for one datagram and returns it; the slice is valid until
// the next call.
func (c *nlConn) receive() ([]byte, error) {
	if err := c.rc.Read(c.read); err != nil {
		return nil, fmt.Errorf("netlink receive: %w", err)
	}
	if c.rerr != nil {
		// ENOBUFS lands here: the kernel dropped events for us.
		return nil, fmt.Errorf("netlink receive: %w", c.rerr)
	}
	return c.buf[:c.n], nil
}

// requestDump asks for a dump of links (RTM_GETLINK) or addresses
// (RTM_GETADDR) and returns the sequence number of the request.
func (c *nlConn) requestDump(typ uint16) (uint32, error) {
	c.seq++
	// nlmsghdr followed by an ifinfomsg (16 bytes) for links or an ifaddrmsg
	// (8 bytes) for addresses, all zero: every family, every device.
	body := unix.SizeofIfInfomsg
	switch typ {
	case unix.RTM_GETADDR:
		body = unix.SizeofIfAddrmsg
	case unix.RTM_GETNEIGH:
		body = unix.SizeofNdMsg
	}
	req := make([]byte, unix.NLMSG_HDRLEN+body)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:4], uint32(len(req)))
	ne.PutUint16(req[4:6], typ)
	ne.PutUint16(req[6:8], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(req[8:12], c.seq)
	var werr error
	err := c.rc.Write(func(fd uintptr) bool {
		werr = unix.Sendto(int(fd), req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		return werr != unix.EAGAIN
	})
	if err == nil {
		err = werr
	}
	if err != nil {
		return 0, fmt.Errorf("netlink dump request: %w", err)
	}
	return c.seq, nil
}

// Kinds of message nlParser.next returns.
const (
	msgEnd      = iota // no more messages in the datagram
	msgLink            // p.link holds a link message
	msgAddr            // p.addr holds an address message
	msgDumpDone        // the dump with sequence number dumpSeq is complete
	msgNeigh           // p.neigh holds a neighbour message (see neigh.go)
)

// nlParser walks the messages of one datagram. It is a value with no
// pointers into the heap beyond the datagram itself, so reading a message
// costs no allocation.
type nlParser struct {
	b       []byte
	dumpSeq uint32 // sequence number of our dump in progress; 0 for none
	link    linkMsg
	addr    addrMsg
	neigh   neighMsg
}

// next decodes messages until one of interest (see msgLink and friends).
// Messages of other types are skipped. A malformed datagram, an interrupted
// dump or an error reply to our dump is an error.
func (p *nlParser) next() (int, error) {
	ne := binary.NativeEndian
	for len(p.b) >= unix.NLMSG_HDRLEN {
		b := p.b
		l := int(ne.Uint32(b[0:4]))
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			p.b = nil
			return msgEnd, fmt.Errorf("netlink: malformed message length %d of %d", l, len(b))
		}
		if next := (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1); next < len(b) {
			p.b = b[next:]
		} else {
			p.b = nil
		}
		typ, flags, seq := ne.Uint16(b[4:6]), ne.Uint16(b[6:8]), ne.Uint32(b[8:12])
		body := b[unix.NLMSG_HDRLEN:l]
		ours := p.dumpSeq != 0 && seq == p.dumpSeq
		if ours && flags&unix.NLM_F_DUMP_INTR != 0 {
			return msgEnd, errDumpInterrupted
		}
		switch typ {
		case unix.NLMSG_DONE:
			if ours {
				return msgDumpDone, nil
			}
		case unix.NLMSG_ERROR:
			if ours && len(body) >= 4 {
				if code := int32(ne.Uint32(body[0:4])); code != 0 {
					return msgEnd, fmt.Errorf("netlink dump: %w", syscall.Errno(-code))
				}
			}
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			if parseLink(body, typ == unix.RTM_DELLINK, &p.link) {
				return msgLink, nil
			}
		case unix.RTM_NEWADDR, unix.RTM_DELADDR:
			if parseAddr(body, typ == unix.RTM_DELADDR, &p.addr) {
				return msgAddr, nil
			}
		case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
			if parseNeigh(body, typ == unix.RTM_DELNEIGH, &p.neigh) {
				return msgNeigh, nil
			}
		}
	}
	return msgEnd, nil
}

// attrs iterates over the rtattrs in b, calling fn with the type (flag bits
// masked off) and payload of each; it stops at the first malformed one.
func attrs(b []byte, fn func(typ uint16, v []byte)) {
	ne := binary.NativeEndian
	for len(b) >= unix.SizeofRtAttr {
		l := int(ne.Uint16(b[0:2]))
		if l < unix.SizeofRtAttr || l > len(b) {
			return
		}
		fn(ne.Uint16(b[2:4])&^(unix.NLA_F_NESTED|unix.NLA_F_NET_BYTEORDER), b[unix.SizeofRtAttr:l])
		next := (l + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1)
		if next >= len(b) {
			return
		}
		b = b[next:]
	}
}

// parseLink decodes an ifinfomsg and its attributes into m. It returns false
// for messages that do not describe a network device: in particular AF_BRIDGE
// notifications, which the bridge sends with RTM_DELLINK when a port merely
// leaves br-lan.
func parseLink(b []byte, del bool, m *linkMsg) bool {
	if len(b) < unix.SizeofIfInfomsg || b[0] != unix.AF_UNSPEC {
		return false
	}
	ne := binary.NativeEndian
	*m = linkMsg{index: int(int32(ne.Uint32(b[4:8]))), del: del}
	flags := ne.Uint32(b[8:12])
	m.up = flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
	attrs(b[unix.SizeofIfInfomsg:], func(typ uint16, v []byte) {
		if typ == unix.IFLA_IFNAME {
			for i, c := range v {
				if c == 0 {
					v = v[:i]
					break
				}
			}
			m.name = v
		}
	})
	return m.index > 0 && len(m.name) > 0
}

// parseAddr decodes an ifaddrmsg and its attributes into m.
func parseAddr(b []byte, del bool, m *addrMsg) bool {
	if len(b) < unix.SizeofIfAddrmsg {
		return false
	}
	fam, plen := b[0], int(b[1])
	ne := binary.NativeEndian
	*m = addrMsg{index: int(ne.Uint32(b[4:8])), del: del}
	m.addr.Flags = uint32(b[2]) // superseded by IFA_FLAGS, which has all 32 bits
	m.addr.Scope = b[3]
	m.addr.Preferred, m.addr.Valid = Forever, Forever
	var local, address netip.Addr
	attrs(b[unix.SizeofIfAddrmsg:], func(typ uint16, v []byte) {
		switch typ {
		case unix.IFA_ADDRESS:
			address = ipFrom(fam, v)
		case unix.IFA_LOCAL:
			local = ipFrom(fam, v)
		case unix.IFA_FLAGS:
			if len(v) >= 4 {
				m.addr.Flags = ne.Uint32(v)
			}
		case unix.IFA_CACHEINFO:
			if len(v) >= 8 {
				m.addr.Preferred, m.addr.Valid = ne.Uint32(v[0:4]), ne.Uint32(v[4:8])
			}
		}
	})
	// On point-to-point links (pppoe-wan) IFA_ADDRESS is the peer and IFA_LOCAL
	// our own address; elsewhere only IFA_ADDRESS may be present.
	ip := local
	if !ip.IsValid() {
		ip = address
	}
	if !ip.IsValid() || plen > ip.BitLen() {
		return false
	}
	m.addr.Prefix = netip.PrefixFrom(ip, plen)
	return m.index > 0
}

func ipFrom(fam byte, v []byte) netip.Addr {
	switch {
	case fam == unix.AF_INET && len(v) == 4:
		return netip.AddrFrom4([4]byte(v))
	case fam == unix.AF_INET6 && len(v) == 16:
		return netip.AddrFrom16([16]byte(v))
	}
	return netip.Addr{}
}
