package httpc

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadResponse checks that any byte stream yields a response or an
// error, never a panic, and that an accepted body respects the limit.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 3\r\nContent-Length: 2\r\n\r\n{}",
		"HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		method := "GET"
		if head {
			method = "HEAD"
		}
		const limit = 64
		resp, err := ReadResponse(bufio.NewReader(bytes.NewReader(data)), method, limit)
		if err != nil {
			if resp != nil {
				t.Fatal("response with error")
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if resp.StatusCode < 200 || resp.StatusCode > 999 || len(resp.Body) > limit || resp.Header == nil {
			t.Fatalf("accepted %d with %d-byte body", resp.StatusCode, len(resp.Body))
		}
		if head && len(resp.Body) != 0 {
			t.Fatal("body read for HEAD")
		}
	})
}
