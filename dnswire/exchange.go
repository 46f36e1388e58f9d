// Package dnswire builds and reads the few DNS messages eddns needs (see
// wire.go and parse.go) and sends them to one server: UDP first, TCP when
// the answer is truncated (RFC 1035 section 4.2). What a message asks and
// whether an answer is acceptable is the caller's business.
package dnswire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// udpRetry is how long to wait for a UDP answer before sending the message
// again; a lost datagram costs this much, not the whole timeout.
const udpRetry = 2 * time.Second

// Exchange sends msg over UDP and returns the response with the same id;
// a truncated response (TC set) sends it again over TCP. A resent update is
// harmless: delete-and-add is idempotent.
func Exchange(ctx context.Context, server string, msg []byte) ([]byte, error) {
	resp, err := exchangeUDP(ctx, server, msg)
	if err != nil {
		return nil, err
	}
	if resp[2]&0x02 == 0 { // TC bit
		return resp, nil
	}
	return exchangeTCP(ctx, server, msg)
}

func exchangeUDP(ctx context.Context, server string, msg []byte) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, fmt.Errorf("udp %s: %w", server, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	buf := make([]byte, 65535)
	for try := 0; ; try++ {
		if _, err := conn.Write(msg); err != nil {
			return nil, fmt.Errorf("udp %s: %w", server, ctxErr(ctx, err))
		}
		wait := time.Now().Add(udpRetry)
		if dl, ok := ctx.Deadline(); ok && dl.Before(wait) {
			wait = dl
		}
		conn.SetReadDeadline(wait)
		for {
			n, err := conn.Read(buf)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && ctx.Err() == nil && try < 4 {
				break // resend
			}
			if err != nil {
				return nil, fmt.Errorf("udp %s: %w", server, ctxErr(ctx, err))
			}
			// A connected UDP socket only takes datagrams from server;
			// ignore stale answers to an earlier try or other ids.
			if n >= 12 && buf[0] == msg[0] && buf[1] == msg[1] && buf[2]&0x80 != 0 {
				return append([]byte(nil), buf[:n]...), nil
			}
		}
	}
}

func exchangeTCP(ctx context.Context, server string, msg []byte) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", server)
	if err != nil {
		return nil, fmt.Errorf("tcp %s: %w", server, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// RFC 1035 section 4.2.2: a two-byte length prefix.
	if _, err := conn.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(msg))), msg...)); err != nil {
		return nil, fmt.Errorf("tcp %s: %w", server, ctxErr(ctx, err))
	}
	var lb [2]byte
	if _, err := io.ReadFull(conn, lb[:]); err != nil {
		return nil, fmt.Errorf("tcp %s: %w", server, ctxErr(ctx, err))
	}
	resp := make([]byte, binary.BigEndian.Uint16(lb[:]))
	if _, err := io.ReadFull(conn, resp); err != nil {
		return nil, fmt.Errorf("tcp %s: %w", server, ctxErr(ctx, err))
	}
	if len(resp) < 12 || resp[0] != msg[0] || resp[1] != msg[1] {
		return nil, fmt.Errorf("tcp %s: response does not match the request", server)
	}
	return resp, nil
}

// ctxErr prefers the context's reason over the deadline error it caused.
// A read deadline set to the context's deadline may fire a moment before
// the context notices.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ne net.Error
	if dl, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return err
}
