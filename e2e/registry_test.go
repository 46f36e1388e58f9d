package e2e

// config.Parse knows the provider types the registry registers.
import _ "github.com/eddns/eddns/providers/registry"
