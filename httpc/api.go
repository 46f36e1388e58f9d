package httpc

import (
	"context"
	"time"
)

// APIClient sends requests to one signed API endpoint with the shared rules:
// a deadline on every request, a User-Agent, a bounded response body and
// the endpoint's clock learned from its own authenticated responses.
type APIClient struct {
	HTTP      Doer
	Clock     *Clock
	UserAgent string
	Timeout   time.Duration
	// MaxBody bounds a response body even from a Doer with a laxer limit;
	// 0 means DefaultMaxBody.
	MaxBody int
}

// APIResponse is what came back from an API, body already read.
type APIResponse struct {
	Status int
	Header Header
	Body   []byte
}

// Do sends req within the client's timeout. httpc errors never quote the
// request URL (which for some APIs carries the access key id and
// signature); the caller classifies them as transient.
//
// The clock learns from the response's Date header only when the response
// is the endpoint's own: from the host the request was sent to (no redirect
// elsewhere) and, for https, over a connection whose certificate verified.
// A plain-http endpoint teaches it only because the user configured that
// endpoint for this API.
func (c *APIClient) Do(ctx context.Context, req *Request) (*APIResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.HTTP.Do(ctx, req)
	if err != nil {
		return nil, err
	}
	limit := c.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	if len(resp.Body) > limit {
		return nil, ErrTooLarge // a Doer with a laxer limit
	}
	if authentic(req, resp) && c.Clock.accepts(req.URL) {
		c.Clock.Observe(resp.Header)
	}
	return &APIResponse{Status: resp.StatusCode, Header: resp.Header, Body: resp.Body}, nil
}

// authentic reports whether resp came from req's own host and scheme, over
// verified TLS when that scheme is https.
func authentic(req *Request, resp *Response) bool {
	from := resp.URL
	if from == nil || EndpointKey(from) != EndpointKey(req.URL) {
		return false
	}
	return from.Scheme == "http" || resp.Verified
}
