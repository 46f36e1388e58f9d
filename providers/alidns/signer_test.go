package alidns

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// vectorFile is testdata/vectors.json: published signature vectors and
// response fixtures, copied from the project's reference material.
type vectorFile struct {
	Vectors []struct {
		ID     string `json:"id"`
		Scheme string `json:"scheme"`
		Inputs struct {
			Method string            `json:"method"`
			Secret string            `json:"access_key_secret"`
			Params map[string]string `json:"params"`
		} `json:"inputs"`
		Intermediate struct {
			CanonicalQuery string `json:"canonicalized_query"`
			StringToSign   string `json:"string_to_sign"`
			HMACKey        string `json:"hmac_key"`
		} `json:"intermediate"`
		Expected struct {
			Signature    string `json:"signature"`
			StringToSign string `json:"string_to_sign"`
		} `json:"expected"`
		Cases []struct {
			Key      string `json:"key"`
			Message  string `json:"message"`
			Expected string `json:"expected"`
		} `json:"cases"`
	} `json:"vectors"`
	Fixtures map[string]struct {
		HTTPStatus int             `json:"http_status"`
		Body       json.RawMessage `json:"body"`
	} `json:"fixtures"`
}

func loadVectors(t *testing.T) vectorFile {
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

func TestVectors(t *testing.T) {
	vf := loadVectors(t)
	want := map[string]bool{
		"ali-rpc-v1-alidns-doc": false, "ali-rpc-v2doc-ecs": false, "ali-rpc-sdk-go-composer": false,
		"ali-rpc-sdk-go-composer-sts": false, "ali-rpc-sdk-go-stringtosign-encoding": false, "ali-hmac-sha1-primitives": false,
	}
	for _, v := range vf.Vectors {
		t.Run(v.ID, func(t *testing.T) {
			in := v.Inputs
			switch v.Scheme {
			case "ali_rpc_hmac_sha1":
				if iv := v.Intermediate; iv.CanonicalQuery != "" {
					if got := CanonicalQuery(in.Params); got != iv.CanonicalQuery {
						t.Errorf("CanonicalQuery =\n%s\nwant\n%s", got, iv.CanonicalQuery)
					}
				}
				if iv := v.Intermediate; iv.StringToSign != "" {
					if got := StringToSign(in.Method, in.Params); got != iv.StringToSign {
						t.Errorf("StringToSign =\n%s\nwant\n%s", got, iv.StringToSign)
					}
				}
				if k := v.Intermediate.HMACKey; k != "" && k != in.Secret+"&" {
					t.Errorf("vector's HMAC key %q is not secret+\"&\"", k)
				}
				if got := Sign(in.Method, in.Params, in.Secret); got != v.Expected.Signature {
					t.Errorf("Sign = %s, want %s", got, v.Expected.Signature)
				}
				// Signature itself never takes part in signing.
				with := map[string]string{"Signature": "anything"}
				for k, val := range in.Params {
					with[k] = val
				}
				if got := Sign(in.Method, with, in.Secret); got != v.Expected.Signature {
					t.Errorf("Sign with a Signature parameter present = %s, want %s", got, v.Expected.Signature)
				}
			case "ali_rpc_string_to_sign":
				if got := StringToSign(in.Method, in.Params); got != v.Expected.StringToSign {
					t.Errorf("StringToSign =\n%s\nwant\n%s", got, v.Expected.StringToSign)
				}
			case "hmac_sha1_b64":
				if len(v.Cases) == 0 {
					t.Fatal("no cases")
				}
				for _, c := range v.Cases {
					if got := HMACSHA1(c.Key, c.Message); got != c.Expected {
						t.Errorf("HMACSHA1(%q, %q) = %s, want %s", c.Key, c.Message, got, c.Expected)
					}
				}
			case "ali_acs3_hmac_sha256":
				t.Skip("checked by TestACS3Vector")
			default:
				t.Fatalf("unknown scheme %q", v.Scheme)
			}
			want[v.ID] = true
		})
	}
	for id, seen := range want {
		if !seen {
			t.Errorf("vector %s missing from testdata", id)
		}
	}
}

func TestPercentEncode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"AZaz09-_.~", "AZaz09-_.~"},
		{"a b", "a%20b"},
		{"a+b", "a%2Bb"},
		{"*", "%2A"},
		{"~", "~"},
		{"2016-03-24T16:41:54Z", "2016-03-24T16%3A41%3A54Z"},
		{"/?&=", "%2F%3F%26%3D"},
		{"中", "%E4%B8%AD"},
		{"\x00\xff", "%00%FF"},
	}
	for _, tt := range tests {
		if got := PercentEncode(tt.in); got != tt.want {
			t.Errorf("PercentEncode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalQuerySortsByteOrder(t *testing.T) {
	// Upper case sorts before lower case; an empty value stays as "k=".
	got := CanonicalQuery(map[string]string{"b": "1", "B": "2", "a": "", "Signature": "x"})
	if want := "B=2&a=&b=1"; got != want {
		t.Errorf("CanonicalQuery = %q, want %q", got, want)
	}
}

func BenchmarkSign(b *testing.B) {
	p := map[string]string{
		"Action": "UpdateDomainRecord", "RecordId": "18000000000000001", "RR": "nas", "Type": "AAAA",
		"Value": "2001:db8::1", "Format": "JSON", "Version": APIVersion, "AccessKeyId": "LTAIexample",
		"SignatureMethod": "HMAC-SHA1", "SignatureVersion": "1.0", "SignatureNonce": "0123456789abcdef",
		"Timestamp": "2024-01-01T00:00:00Z",
	}
	for b.Loop() {
		Sign("POST", p, "secret")
	}
}

func TestACS3Vector(t *testing.T) {
	b, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vf struct {
		Vectors []struct {
			ID     string `json:"id"`
			Inputs struct {
				Method  string            `json:"method"`
				KeyID   string            `json:"access_key_id"`
				Secret  string            `json:"access_key_secret"`
				Query   map[string]string `json:"query"`
				Headers map[string]string `json:"headers"`
				Body    string            `json:"body"`
			} `json:"inputs"`
			Intermediate struct {
				CanonicalQuery string `json:"canonical_query"`
				SignedHeaders  string `json:"signed_headers"`
				Hashed         string `json:"hashed_canonical_request"`
			} `json:"intermediate"`
			Expected struct {
				Signature     string `json:"signature"`
				Authorization string `json:"authorization"`
			} `json:"expected"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(b, &vf); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range vf.Vectors {
		if v.ID != "ali-acs3-v3-doc" {
			continue
		}
		found = true
		in := v.Inputs
		r := ACS3Request{Method: in.Method, Query: in.Query, Headers: in.Headers, Body: []byte(in.Body)}
		canonical, signed := ACS3CanonicalRequest(r)
		if signed != v.Intermediate.SignedHeaders {
			t.Errorf("signed headers %q, want %q", signed, v.Intermediate.SignedHeaders)
		}
		if lines := strings.Split(canonical, "\n"); len(lines) < 3 || lines[2] != v.Intermediate.CanonicalQuery {
			t.Errorf("canonical query line of\n%s\nwant %q", canonical, v.Intermediate.CanonicalQuery)
		}
		if sum := sha256.Sum256([]byte(canonical)); hex.EncodeToString(sum[:]) != v.Intermediate.Hashed {
			t.Errorf("hashed canonical request %x, want %s; canonical:\n%s", sum, v.Intermediate.Hashed, canonical)
		}
		sig, auth := ACS3Sign(in.KeyID, in.Secret, r)
		if sig != v.Expected.Signature || auth != v.Expected.Authorization {
			t.Errorf("ACS3Sign = %s, %s\nwant %s, %s", sig, auth, v.Expected.Signature, v.Expected.Authorization)
		}
	}
	if !found {
		t.Fatal("vector ali-acs3-v3-doc missing from testdata")
	}
}
