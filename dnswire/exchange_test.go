package dnswire

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// A loopback server speaking the transport rules of RFC 1035 section 4.2:
// UDP datagrams, TCP with a two-byte length prefix. It answers with the
// request's id and QR set; the real-server behaviour is tested against BIND
// in providers/rfc2136.
type server struct {
	udp      net.PacketConn
	tcp      net.Listener
	datagram atomic.Int32
	// onUDP picks the answers to the n-th datagram (several: sent in order;
	// none: dropped).
	onUDP func(n int, req []byte) [][]byte
}

func answer(req []byte, flags byte, body string) []byte {
	resp := append([]byte(nil), req[:12]...)
	resp[2] |= 0x80 | flags
	return append(resp, body...)
}

func newServer(t *testing.T, onUDP func(n int, req []byte) [][]byte) *server {
	s := &server{onUDP: onUDP}
	var err error
	if s.udp, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	port := s.udp.LocalAddr().(*net.UDPAddr).Port
	if s.tcp, err = net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err != nil {
		t.Skipf("TCP port %d taken: %v", port, err)
	}
	t.Cleanup(func() { s.udp.Close(); s.tcp.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := s.udp.ReadFrom(buf)
			if err != nil {
				return
			}
			for _, r := range s.onUDP(int(s.datagram.Add(1)), buf[:n]) {
				s.udp.WriteTo(r, from)
			}
		}
	}()
	go func() {
		for {
			c, err := s.tcp.Accept()
			if err != nil {
				return
			}
			var lb [2]byte
			if _, err := io.ReadFull(c, lb[:]); err == nil {
				req := make([]byte, binary.BigEndian.Uint16(lb[:]))
				if _, err := io.ReadFull(c, req); err == nil {
					resp := answer(req, 0, "tcp")
					c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(resp))), resp...))
				}
			}
			c.Close()
		}
	}()
	return s
}

// query is a 12-byte header with the given id.
func query(id uint16) []byte {
	return append(binary.BigEndian.AppendUint16(nil, id), make([]byte, 10)...)
}

func TestUDPAnswer(t *testing.T) {
	s := newServer(t, func(_ int, req []byte) [][]byte { return [][]byte{answer(req, 0, "udp")} })
	resp, err := Exchange(context.Background(), s.udp.LocalAddr().String(), query(0x1234))
	if err != nil || string(resp[12:]) != "udp" {
		t.Fatalf("Exchange = %q, %v", resp, err)
	}
}

func TestTruncatedGoesTCP(t *testing.T) {
	s := newServer(t, func(_ int, req []byte) [][]byte { return [][]byte{answer(req, 0x02, "")} }) // TC
	resp, err := Exchange(context.Background(), s.udp.LocalAddr().String(), query(7))
	if err != nil || string(resp[12:]) != "tcp" {
		t.Fatalf("Exchange = %q, %v; want the TCP answer", resp, err)
	}
}

func TestOtherIDsAreIgnored(t *testing.T) {
	s := newServer(t, func(_ int, req []byte) [][]byte {
		stale := answer(req, 0, "stale")
		stale[1] ^= 0xff // another id, as a late answer to an earlier query
		notResp := append([]byte(nil), req...)
		return [][]byte{stale, notResp, answer(req, 0, "ours")}
	})
	resp, err := Exchange(context.Background(), s.udp.LocalAddr().String(), query(0x4242))
	if err != nil || string(resp[12:]) != "ours" {
		t.Fatalf("Exchange = %q, %v", resp, err)
	}
}

func TestLostDatagramIsResent(t *testing.T) {
	s := newServer(t, func(n int, req []byte) [][]byte {
		if n == 1 {
			return nil // lost
		}
		return [][]byte{answer(req, 0, "second")}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := Exchange(ctx, s.udp.LocalAddr().String(), query(9))
	if err != nil || string(resp[12:]) != "second" || s.datagram.Load() != 2 {
		t.Fatalf("Exchange = %q, %v after %d datagrams", resp, err, s.datagram.Load())
	}
}

func TestDeadlineBoundsSilence(t *testing.T) {
	s := newServer(t, func(int, []byte) [][]byte { return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Exchange(ctx, s.udp.LocalAddr().String(), query(1))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Exchange to a silent server = %v; want the deadline", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v with a 300ms deadline", d)
	}
}

// FuzzParse: no input panics Parse, and what it returns is consistent: an
// address record carries a valid address of its family.
func FuzzParse(f *testing.F) {
	// An answer for nas.example.com AAAA with one record, and a truncated one.
	ans := []byte{0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0,
		3, 'n', 'a', 's', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 28, 0, 1,
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}
	f.Add(ans)
	f.Add(ans[:40])
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := Parse(raw)
		if err != nil {
			return
		}
		for _, rr := range append(r.Answers, r.Authorities...) {
			switch rr.Type {
			case 1:
				if !rr.Addr.Is4() {
					t.Fatalf("A record with %v", rr.Addr)
				}
			case 28:
				if !rr.Addr.Is6() {
					t.Fatalf("AAAA record with %v", rr.Addr)
				}
			}
		}
	})
}
