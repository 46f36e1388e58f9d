package luciapp

// config.Schema() derives the provider section from the provider types the
// registry registers.
import _ "github.com/eddns/eddns/providers/registry"
