package detect

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// raConn is a raw ICMPv6 socket that receives only router adverts, on one
// device. It sits in Go's poller (nonblocking fd wrapped in an os.File), so
// Close unblocks a pending read.
type raConn struct {
	f    *os.File
	rc   syscall.RawConn
	self netip.Addr // the bound link-local address
	buf  []byte
	oob  []byte
}

// listenRAOn opens the socket bound to the link-local address ll of the
// device index, like ndp.Listen(ifi, ndp.LinkLocal): binding with the scope
// id ties the socket to the device, and the kernel refuses a tentative
// address. It needs CAP_NET_RAW. mtu sizes the read buffer.
func listenRAOn(index int, ll netip.Addr, mtu int) (*raConn, error) {
	fd, err := unix.Socket(unix.AF_INET6, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMPV6)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := setupRASocket(fd, index, ll); err != nil {
		unix.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "icmpv6")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &raConn{f: f, rc: rc, self: ll, buf: make([]byte, max(mtu, 1280)), oob: make([]byte, 64)}, nil
}

func setupRASocket(fd, index int, ll netip.Addr) error {
	// RFC 3542 3.2: only router adverts wake us, not the neighbour chatter
	// of the link. In Linux's filter a set bit blocks the type.
	var filt unix.ICMPv6Filter
	for i := range filt.Data {
		filt.Data[i] = ^uint32(0)
	}
	filt.Data[icmpTypeRouterAdvert>>5] &^= 1 << (icmpTypeRouterAdvert & 31)
	if err := unix.SetsockoptICMPv6Filter(fd, unix.SOL_ICMPV6, unix.ICMPV6_FILTER, &filt); err != nil {
		return fmt.Errorf("ICMP6_FILTER: %w", err)
	}
	// RFC 3542 6.3: the hop limit of each advert, to check it is 255.
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1); err != nil {
		return fmt.Errorf("IPV6_RECVHOPLIMIT: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet6{Addr: ll.As16(), ZoneId: uint32(index)}); err != nil {
		return fmt.Errorf("bind %s%%%d: %w", ll, index, err)
	}
	return nil
}

// read returns the next ICMPv6 message (from the type octet on; the kernel
// has checked its checksum), its source address and the hop limit it
// arrived with (-1 when the kernel did not say). The message is valid until
// the next read.
func (c *raConn) read() (msg []byte, src netip.Addr, hops int, err error) {
	var n, oobn, flags int
	var from unix.Sockaddr
	var rerr error
	for {
		err = c.rc.Read(func(fd uintptr) bool {
			n, oobn, flags, from, rerr = unix.Recvmsg(int(fd), c.buf, c.oob, 0)
			return rerr != unix.EAGAIN
		})
		if err == nil {
			err = rerr
		}
		if err != nil {
			return nil, netip.Addr{}, -1, err
		}
		// A message longer than the device's MTU cannot be an advert
		// the link carried whole; skip it rather than parse a part.
		if flags&(unix.MSG_TRUNC|unix.MSG_CTRUNC) == 0 {
			break
		}
	}
	if sa, ok := from.(*unix.SockaddrInet6); ok {
		src = netip.AddrFrom16(sa.Addr)
	}
	return c.buf[:n], src, hopLimit(c.oob[:oobn]), nil
}

// hopLimit finds the IPV6_HOPLIMIT control message (an int, RFC 3542 6.3)
// in oob; -1 when there is none.
func hopLimit(oob []byte) int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return -1
	}
	for _, m := range msgs {
		if m.Header.Level == unix.IPPROTO_IPV6 && m.Header.Type == unix.IPV6_HOPLIMIT && len(m.Data) >= 4 {
			return int(int32(binary.NativeEndian.Uint32(m.Data)))
		}
	}
	return -1
}

// Close closes the socket; a read in progress returns an error.
func (c *raConn) Close() error { return c.f.Close() }
