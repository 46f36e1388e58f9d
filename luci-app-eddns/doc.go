// Package luciapp holds the Go side of luci-app-eddns, the LuCI pages for
// eddns: tests that keep the JavaScript views consistent with the daemon's
// configuration schema and validation, and that check the package
// description tools/mkpkg builds the .ipk from. The app itself is the
// htdocs/ and root/ trees next to this file.
package luciapp

//go:generate sh -c "cd .. && go run . schema > luci-app-eddns/tests/schema.json"
//go:generate go test -run TestProvidersJSIsCurrent -update .
