package uci_test

import (
	"fmt"
	"os"

	"github.com/eddns/eddns/uci"
)

func ExampleParse() {
	f, err := uci.Parse("/etc/config/eddns", []byte(`
config record 'nas6'
	option zone 'example.com'
	list url 'https://a.example/'
	list url 'https://b.example/'

config record
	option name 'it'\''s'
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	zone := f.Section("nas6").Option("zone")
	fmt.Println(zone.Value(), zone.ValuePos[0])
	fmt.Println(f.Section("nas6").Option("url").Values)
	anon := f.Section("@record[-1]")
	fmt.Println(anon.Name, anon.Anonymous, anon.Option("name").Value())
	// Output:
	// example.com /etc/config/eddns:3
	// [https://a.example/ https://b.example/]
	// cfg02f824 true it's
}

func ExampleErrors() {
	_, err := uci.Parse("eddns", []byte("config record 'a b'\nbogus\n\toption ok 'x' extra\n"))
	fmt.Println(err)
	// Output:
	// eddns:1: invalid character in name field
	// eddns:2: invalid command
	// eddns:3: too many arguments
}

func ExampleFile_WriteTo() {
	f, _ := uci.Parse("in", []byte("c record r ; o name \"it's\"\n"))
	f.WriteTo(os.Stdout)
	// Output:
	// config record 'r'
	// 	option name 'it'\''s'
}
