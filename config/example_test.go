package config_test

import (
	"fmt"

	"github.com/eddns/eddns/config"
)

func ExampleParse() {
	_, err := config.Parse("/etc/config/eddns", []byte(`
config provider 'ali'
	option type 'alidns'
	option secret_id 'LTAI...'
	option access_key_secret 'never printed'

config record 'nas6'
	option provider 'ali'
	option zone 'example.com'
	option type 'AAA'
	option device 'pppoe-wan'
`))
	fmt.Println(err)
	// Output:
	// /etc/config/eddns:4: ali.secret_id: does not apply when type is alidns; use access_key_id
	// /etc/config/eddns:10: nas6.type: "AAA" is not one of A or AAAA; did you mean AAAA?
}
