package config_test

// The provider section of the schema is derived from the registered
// provider types; importing the registry registers eddns's built-in ones
// for every test of this package (internal and external tests share one
// binary).
import _ "github.com/eddns/eddns/providers/registry"
