package httpc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits on the response head: a DNS API's is a few hundred bytes.
const (
	maxLineBytes   = 8 << 10
	maxHeaderBytes = 64 << 10
	maxInterim     = 8 // 1xx responses skipped before the final one
)

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// ReadResponse reads one HTTP/1.x response to a request made with method,
// body included (at most limit bytes, else ErrTooLarge). The connection is
// not reused, so a body without framing runs to EOF.
func ReadResponse(r *bufio.Reader, method string, limit int64) (*Response, error) {
	var (
		resp *Response
		err  error
	)
	for i := 0; ; i++ {
		resp, err = readHead(r)
		if err != nil {
			return nil, err
		}
		// 1xx responses (100 Continue, 103 Early Hints) precede the real one.
		if resp.StatusCode >= 200 || resp.StatusCode == 101 {
			break
		}
		if i == maxInterim {
			return nil, malformed("too many 1xx responses")
		}
	}
	if resp.StatusCode == 101 {
		return nil, malformed("unexpected protocol switch")
	}
	if method == "HEAD" || resp.StatusCode == 204 || resp.StatusCode == 304 {
		return resp, nil
	}
	resp.Body, err = readBody(r, resp.Header, limit)
	if err != nil {
		return nil, err
	}
	return resp, nil
}

func readHead(r *bufio.Reader) (*Response, error) {
	line, err := readLine(r)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) && !strings.HasPrefix(line, "HTTP/") {
			return nil, malformed("not an HTTP response")
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("connection closed before a response: %w", io.ErrUnexpectedEOF)
		}
		return nil, err
	}
	// HTTP/1.1 200 OK — the reason phrase may be empty or missing.
	proto, rest, _ := strings.Cut(line, " ")
	if proto != "HTTP/1.1" && proto != "HTTP/1.0" {
		return nil, malformed("status line does not start with HTTP/1.x")
	}
	code, _, _ := strings.Cut(rest, " ")
	if len(code) != 3 {
		return nil, malformed("bad status code")
	}
	status, err := strconv.Atoi(code)
	if err != nil || status < 100 || status > 999 {
		return nil, malformed("bad status code")
	}
	resp := &Response{StatusCode: status, Header: Header{}}
	total := len(line)
	for {
		line, err := readLine(r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, malformed("connection closed inside the header")
			}
			return nil, err
		}
		if line == "" {
			return resp, nil
		}
		if total += len(line); total > maxHeaderBytes {
			return nil, malformed("header larger than %d bytes", maxHeaderBytes)
		}
		if line[0] == ' ' || line[0] == '\t' {
			// Obsolete line folding: RFC 9112 lets a client reject it.
			return nil, malformed("folded header line")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || !validToken(name) {
			return nil, malformed("bad header line")
		}
		resp.Header.Add(name, strings.Trim(value, " \t"))
	}
}

// readLine returns one CRLF- (or bare LF-) terminated line without its end.
func readLine(r *bufio.Reader) (string, error) {
	var line []byte
	for {
		frag, err := r.ReadSlice('\n')
		if len(line)+len(frag) > maxLineBytes {
			return "", malformed("line longer than %d bytes", maxLineBytes)
		}
		line = append(line, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(line) > 0 {
				return string(line), io.ErrUnexpectedEOF
			}
			return "", err
		}
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	if bytes.IndexByte(line, 0) >= 0 {
		return "", malformed("NUL in the response head")
	}
	return string(line), nil
}

func readBody(r *bufio.Reader, h Header, limit int64) ([]byte, error) {
	if te := h.Values("Transfer-Encoding"); len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		last := strings.ToLower(strings.TrimSpace(codings[len(codings)-1]))
		if last == "chunked" {
			if len(codings) > 1 {
				// gzip etc. under chunked: we never asked for a coding.
				return nil, malformed("unsupported transfer coding %q", strings.Join(te, ","))
			}
			return readChunked(r, limit)
		}
		return readAll(r, limit) // framed by connection close
	}
	if cl := h.Values("Content-Length"); len(cl) > 0 {
		n, err := contentLength(cl)
		if err != nil {
			return nil, err
		}
		if n > limit {
			return nil, ErrTooLarge
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			return nil, fmt.Errorf("body shorter than its Content-Length: %w", io.ErrUnexpectedEOF)
		}
		return body, nil
	}
	return readAll(r, limit)
}

// contentLength accepts repeated headers only when they agree (RFC 9112 §6.3).
func contentLength(values []string) (int64, error) {
	var n int64 = -1
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			m, err := strconv.ParseInt(f, 10, 64)
			if err != nil || m < 0 || f[0] == '+' {
				return 0, malformed("bad Content-Length")
			}
			if n >= 0 && m != n {
				return 0, malformed("conflicting Content-Length")
			}
			n = m
		}
	}
	return n, nil
}

func readAll(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrTooLarge
	}
	return body, nil
}

func readChunked(r *bufio.Reader, limit int64) ([]byte, error) {
	var body []byte
	for {
		line, err := readLine(r)
		if err != nil {
			return nil, chunkErr(err)
		}
		size, _, _ := strings.Cut(line, ";") // chunk extensions are ignored
		size = strings.TrimRight(size, " \t")
		n, err := strconv.ParseUint(size, 16, 63)
		if err != nil || size == "" || strings.HasPrefix(size, "+") || strings.HasPrefix(size, "0x") {
			return nil, malformed("bad chunk size")
		}
		if n == 0 {
			break
		}
		if int64(n) > limit-int64(len(body)) {
			return nil, ErrTooLarge
		}
		start := len(body)
		body = append(body, make([]byte, n)...)
		if _, err := io.ReadFull(r, body[start:]); err != nil {
			return nil, chunkErr(io.ErrUnexpectedEOF)
		}
		crlf, err := readLine(r)
		if err != nil {
			return nil, chunkErr(err)
		}
		if crlf != "" {
			return nil, malformed("chunk longer than its size")
		}
	}
	// Trailer fields, ignored, up to the empty line.
	for total := 0; ; {
		line, err := readLine(r)
		if err != nil {
			return nil, chunkErr(err)
		}
		if line == "" {
			return body, nil
		}
		if total += len(line); total > maxHeaderBytes {
			return nil, malformed("trailer larger than %d bytes", maxHeaderBytes)
		}
	}
}

func chunkErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("chunked body cut short: %w", io.ErrUnexpectedEOF)
	}
	return err
}
