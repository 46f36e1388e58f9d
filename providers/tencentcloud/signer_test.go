package tencentcloud

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// vectorFile is testdata/vectors.json: the TC3 vectors and DNSPod fixtures
// copied from the project's reference.
type vectorFile struct {
	Vectors []struct {
		ID     string `json:"id"`
		Inputs struct {
			SecretID      string   `json:"secret_id"`
			SecretKey     string   `json:"secret_key"`
			Service       string   `json:"service"`
			Host          string   `json:"host"`
			Action        string   `json:"action"`
			Timestamp     int64    `json:"timestamp"`
			Method        string   `json:"method"`
			Query         string   `json:"query"`
			ContentType   string   `json:"content_type"`
			SignedHeaders []string `json:"signed_headers"`
			Payload       string   `json:"payload"`
		} `json:"inputs"`
		Intermediate map[string]string `json:"intermediate"`
		Expected     struct {
			Signature     string `json:"signature"`
			Authorization string `json:"authorization"`
		} `json:"expected"`
	} `json:"vectors"`
	Fixtures map[string]struct {
		HTTPStatus int             `json:"http_status"`
		Body       json.RawMessage `json:"body"`
	} `json:"fixtures"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf vectorFile
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	return vf
}

func TestSignMatchesEveryPublishedVector(t *testing.T) {
	vf := loadVectors(t)
	want := []string{
		"tc3-doc-current", "tc3-doc-rev-xtcaction-masked", "tc3-doc-rev-original-masked",
		"tc3-doc-rev-original-example", "tc3-sdk-nodejs-post", "tc3-sdk-nodejs-get",
	}
	var seen []string
	for _, v := range vf.Vectors {
		seen = append(seen, v.ID)
		t.Run(v.ID, func(t *testing.T) {
			in := v.Inputs
			var signAction bool
			switch {
			case slices.Equal(in.SignedHeaders, []string{"content-type", "host"}):
			case slices.Equal(in.SignedHeaders, []string{"content-type", "host", "x-tc-action"}):
				signAction = true
			default:
				t.Fatalf("unsupported signed headers %v", in.SignedHeaders)
			}
			got := sign(signInput{
				SecretID: in.SecretID, SecretKey: in.SecretKey, Service: in.Service, Host: in.Host,
				Method: in.Method, Query: in.Query, ContentType: in.ContentType, Action: in.Action,
				Timestamp: in.Timestamp, Payload: []byte(in.Payload), SignAction: signAction,
			})
			if v.Expected.Signature == "" && v.Expected.Authorization == "" {
				t.Fatal("vector has no expected value")
			}
			if e := v.Expected.Signature; e != "" && got.Signature != e {
				t.Errorf("signature = %s, want %s", got.Signature, e)
			}
			if e := v.Expected.Authorization; e != "" && got.Authorization != e {
				t.Errorf("authorization =\n %s\nwant\n %s", got.Authorization, e)
			}
			checks := map[string]string{
				"canonical_request":        got.CanonicalRequest,
				"hashed_canonical_request": sha256Hex([]byte(got.CanonicalRequest)),
				"hashed_payload":           sha256Hex([]byte(in.Payload)),
				"credential_scope":         got.CredentialScope,
				"string_to_sign":           got.StringToSign,
				"secret_date_hex":          hex.EncodeToString(got.SecretDate),
				"secret_service_hex":       hex.EncodeToString(got.SecretService),
				"secret_signing_hex":       hex.EncodeToString(got.SecretSigning),
			}
			for k, e := range v.Intermediate {
				g, ok := checks[k]
				if !ok {
					t.Errorf("intermediate %q not checked", k)
					continue
				}
				if g != e {
					t.Errorf("%s =\n%q\nwant\n%q", k, g, e)
				}
			}
		})
	}
	for _, id := range want {
		if !slices.Contains(seen, id) {
			t.Errorf("vector %s missing from testdata", id)
		}
	}
}

// The date in the credential scope is the UTC date even when the timestamp
// falls on the next day in UTC+8.
func TestSignUsesUTCDate(t *testing.T) {
	// 2024-01-01 23:30 UTC is 2024-01-02 07:30 in Beijing.
	got := sign(signInput{Service: "dnspod", Timestamp: 1704151800, Method: "POST"})
	if got.CredentialScope != "2024-01-01/dnspod/tc3_request" {
		t.Fatalf("scope = %s", got.CredentialScope)
	}
}
