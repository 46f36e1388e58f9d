package detect

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Builders for rtnetlink messages in the kernel's wire format, so the parser
// is tested on bytes rather than on its own structures.

func rtattr(typ uint16, v []byte) []byte {
	b := make([]byte, 4, 4+len(v)+3)
	binary.NativeEndian.PutUint16(b[0:2], uint16(4+len(v)))
	binary.NativeEndian.PutUint16(b[2:4], typ)
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

func nlmsg(typ, flags uint16, seq uint32, body ...[]byte) []byte {
	var payload []byte
	for _, p := range body {
		payload = append(payload, p...)
	}
	b := make([]byte, 16, 16+len(payload))
	binary.NativeEndian.PutUint32(b[0:4], uint32(16+len(payload)))
	binary.NativeEndian.PutUint16(b[4:6], typ)
	binary.NativeEndian.PutUint16(b[6:8], flags)
	binary.NativeEndian.PutUint32(b[8:12], seq)
	return append(b, payload...)
}

func ifinfo(family byte, index int32, flags uint32) []byte {
	b := make([]byte, unix.SizeofIfInfomsg)
	b[0] = family
	binary.NativeEndian.PutUint32(b[4:8], uint32(index))
	binary.NativeEndian.PutUint32(b[8:12], flags)
	return b
}

func linkMsgBytes(typ uint16, family byte, index int32, flags uint32, name string) []byte {
	return nlmsg(typ, 0, 0, ifinfo(family, index, flags), rtattr(unix.IFLA_IFNAME, append([]byte(name), 0)))
}

// addrMsgBytes encodes an RTM_NEWADDR/DELADDR. local may be invalid (omitted).
func addrMsgBytes(typ uint16, index uint32, address, local netip.Prefix, flags uint32, scope uint8, pref, valid uint32) []byte {
	fam := byte(unix.AF_INET6)
	if address.Addr().Is4() {
		fam = unix.AF_INET
	}
	hdr := []byte{fam, byte(address.Bits()), byte(flags), scope, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(hdr[4:8], index)
	body := [][]byte{hdr, rtattr(unix.IFA_ADDRESS, address.Addr().AsSlice())}
	if local.IsValid() {
		body = append(body, rtattr(unix.IFA_LOCAL, local.Addr().AsSlice()))
	}
	ci := append(append(u32(pref), u32(valid)...), make([]byte, 8)...)
	body = append(body, rtattr(unix.IFA_FLAGS, u32(flags)), rtattr(unix.IFA_CACHEINFO, ci))
	return nlmsg(typ, 0, 0, body...)
}

type parsed struct {
	links []linkMsg
	addrs []addrMsg
	done  bool
}

func parseAll(b []byte, seq uint32) (parsed, error) {
	var out parsed
	p := nlParser{b: b, dumpSeq: seq}
	for {
		kind, err := p.next()
		if err != nil || kind == msgEnd {
			return out, err
		}
		switch kind {
		case msgLink:
			l := p.link
			l.name = append([]byte(nil), l.name...)
			out.links = append(out.links, l)
		case msgAddr:
			out.addrs = append(out.addrs, p.addr)
		case msgDumpDone:
			out.done = true
		}
	}
}

func TestParseDatagram(t *testing.T) {
	v6 := netip.MustParsePrefix("2001:db8::1/64")
	none := netip.Prefix{}
	var dgram []byte
	dgram = append(dgram, linkMsgBytes(unix.RTM_NEWLINK, unix.AF_UNSPEC, 7, unix.IFF_UP|unix.IFF_RUNNING, "pppoe-wan")...)
	dgram = append(dgram, linkMsgBytes(unix.RTM_DELLINK, unix.AF_BRIDGE, 8, 0, "lan1")...) // bridge port event: ignored
	dgram = append(dgram, addrMsgBytes(unix.RTM_NEWADDR, 7, v6, none, uint32(FlagManageTemp|FlagDeprecated), 0, 0, 7000)...)
	dgram = append(dgram, addrMsgBytes(unix.RTM_DELADDR, 7,
		netip.MustParsePrefix("203.0.113.1/32"), netip.MustParsePrefix("198.51.100.7/32"), 0x80, 0, Forever, Forever)...)
	dgram = append(dgram, nlmsg(unix.RTM_NEWROUTE, 0, 0, make([]byte, 12))...) // not ours: skipped
	dgram = append(dgram, nlmsg(unix.NLMSG_DONE, unix.NLM_F_MULTI, 42, u32(0))...)

	got, err := parseAll(dgram, 42)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.links) != 1 || string(got.links[0].name) != "pppoe-wan" || got.links[0].index != 7 || !got.links[0].up || got.links[0].del {
		t.Errorf("links = %+v", got.links)
	}
	if len(got.addrs) != 2 {
		t.Fatalf("addrs = %+v", got.addrs)
	}
	want0 := Addr{Prefix: v6, Flags: FlagManageTemp | FlagDeprecated, Preferred: 0, Valid: 7000}
	if a := got.addrs[0]; a.index != 7 || a.del || a.addr != want0 {
		t.Errorf("addr 0 = %+v, want %+v", a, want0)
	}
	// Point-to-point: IFA_LOCAL is ours, IFA_ADDRESS is the peer.
	if a := got.addrs[1]; !a.del || a.addr.Prefix != netip.MustParsePrefix("198.51.100.7/32") || a.addr.Flags != FlagPermanent {
		t.Errorf("addr 1 = %+v", a)
	}
	if !got.done {
		t.Error("NLMSG_DONE for our dump not reported")
	}
	if got, _ := parseAll(dgram, 41); got.done {
		t.Error("NLMSG_DONE of another sequence reported as ours")
	}
}

func TestParseDatagramErrors(t *testing.T) {
	errMsg := nlmsg(unix.NLMSG_ERROR, 0, 5, u32(uint32(0xffffffff-uint32(unix.EBUSY)+1)), make([]byte, 16))
	if _, err := parseAll(errMsg, 5); !errors.Is(err, unix.EBUSY) {
		t.Errorf("error reply: %v, want EBUSY", err)
	}
	if _, err := parseAll(errMsg, 6); err != nil {
		t.Errorf("error reply to someone else's request: %v", err)
	}
	intr := nlmsg(unix.RTM_NEWADDR, unix.NLM_F_MULTI|unix.NLM_F_DUMP_INTR, 9, make([]byte, 8))
	if _, err := parseAll(intr, 9); !errors.Is(err, errDumpInterrupted) {
		t.Errorf("interrupted dump: %v", err)
	}
	bad := nlmsg(unix.RTM_NEWLINK, 0, 0, make([]byte, 16))
	binary.NativeEndian.PutUint32(bad[0:4], 200)
	if _, err := parseAll(bad, 0); err == nil {
		t.Error("overlong length accepted")
	}
	// Truncated bodies are skipped, not trusted.
	if got, err := parseAll(nlmsg(unix.RTM_NEWADDR, 0, 0, []byte{10, 64}), 0); err != nil || len(got.addrs) != 0 {
		t.Errorf("short ifaddrmsg: %+v, %v", got, err)
	}
}

// FuzzParseDatagram feeds arbitrary bytes to the netlink parser: it must not
// panic, must terminate, and everything it returns must be well formed.
func FuzzParseDatagram(f *testing.F) {
	f.Add(linkMsgBytes(unix.RTM_NEWLINK, unix.AF_UNSPEC, 3, unix.IFF_UP, "wan"))
	f.Add(addrMsgBytes(unix.RTM_NEWADDR, 3, netip.MustParsePrefix("2001:db8::1/64"), netip.Prefix{}, 0, 0, 10, 20))
	f.Add(addrMsgBytes(unix.RTM_NEWADDR, 3, netip.MustParsePrefix("203.0.113.1/32"), netip.MustParsePrefix("198.51.100.7/32"), 0, 0, 10, 20))
	f.Add(nlmsg(unix.NLMSG_DONE, 0, 1, u32(0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		p := nlParser{b: b, dumpSeq: 1}
		for range len(b) + 1 { // every message is at least 16 bytes
			kind, err := p.next()
			if err != nil || kind == msgEnd {
				return
			}
			switch kind {
			case msgLink:
				if p.link.index <= 0 || len(p.link.name) == 0 {
					t.Fatalf("bad link %+v", p.link)
				}
			case msgAddr:
				if !p.addr.addr.Prefix.IsValid() || p.addr.index <= 0 {
					t.Fatalf("bad addr %+v", p.addr)
				}
			}
		}
		t.Fatal("parser did not terminate")
	})
}

// BenchmarkParseApplyRefresh measures the watcher's per-event work for the
// most common event on OpenWrt, a lifetime refresh: parse and apply.
func BenchmarkParseApplyRefresh(b *testing.B) {
	m := newModel()
	m.applyLink(&linkMsg{index: 7, name: []byte("pppoe-wan"), up: true})
	msg := addrMsgBytes(unix.RTM_NEWADDR, 7, netip.MustParsePrefix("2001:db8::1/64"), netip.Prefix{}, 0, 0, 3600, 7200)
	first := nlParser{b: msg}
	first.next()
	m.applyAddr(&first.addr, time.Time{})
	b.ReportAllocs()
	for b.Loop() {
		p := nlParser{b: msg}
		if kind, _ := p.next(); kind != msgAddr {
			b.Fatal("not parsed")
		}
		if changed, _ := m.applyAddr(&p.addr, time.Time{}); changed {
			b.Fatal("refresh counted as change")
		}
	}
}
