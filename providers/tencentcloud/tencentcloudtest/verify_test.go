package tencentcloudtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The fake's verifier is checked against two published vectors on its own,
// so a passing conformance run means two independent implementations agree
// with each other and with Tencent.
func TestVerifierMatchesPublishedVectors(t *testing.T) {
	docPayload := `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	cases := []struct {
		name, auth, contentType, timestamp, key, payload, want string
	}{
		{
			name:        "tc3-doc-current",
			auth:        "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
			contentType: "application/json; charset=utf-8", timestamp: "1551113065",
			key: "********************************", payload: docPayload,
			want: "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
		},
		{
			name:        "tc3-doc-rev-original-example",
			auth:        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=x",
			contentType: "application/json; charset=utf-8", timestamp: "1551113065",
			key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", payload: docPayload,
			want: "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
		},
		{
			name:        "tc3-sdk-nodejs-post",
			auth:        "TC3-HMAC-SHA256 Credential=test-secret-id/2022-01-01/cvm/tc3_request, SignedHeaders=content-type;host, Signature=x",
			contentType: "application/json", timestamp: "1640995200",
			key: "test-secret-key", payload: `{"Action":"DescribeInstances","Version":"2017-03-12"}`,
			want: "96473b50fe407833672a5d6d067238d88bb44c8abcc39ef83baa3132afbfadd3",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "https://cvm.tencentcloudapi.com/", strings.NewReader(c.payload))
			r.Header.Set("Content-Type", c.contentType)
			r.Header.Set("X-TC-Action", "DescribeInstances")
			a, err := parseAuthorization(c.auth)
			if err != nil {
				t.Fatal(err)
			}
			got, err := expectedSignature(r, []byte(c.payload), a, c.timestamp, c.key)
			if err != nil || got != c.want {
				t.Fatalf("signature %s (%v), want %s", got, err, c.want)
			}
		})
	}
}

func TestParseAuthorizationRejectsMalformed(t *testing.T) {
	for _, v := range []string{
		"",
		"HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host, Signature=x",
		"TC3-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x",
		"TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, Signature=x",
		"TC3-HMAC-SHA256 Credential=a/b/c/tc3_request, SignedHeaders=host",
		"TC3-HMAC-SHA256 garbage",
	} {
		if _, err := parseAuthorization(v); err == nil {
			t.Errorf("accepted %q", v)
		}
	}
}
