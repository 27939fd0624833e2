// Package specformats registers, with kin-openapi, the string formats that
// openapi/linktoken.yaml uses. kin-openapi's request and response filters read
// only its global format registry, so this is the one place that touches it,
// and it does so once.
package specformats

import (
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seed-5c49e0d7/linktoken/internal/accesslist"
)

// IPOrCIDR is the format of each `accessListIps` entry.
const IPOrCIDR = "ip-or-cidr"

var once sync.Once

// Register makes kin-openapi enforce the contract's own string formats. It is
// safe to call from any number of goroutines and packages.
func Register() {
	once.Do(func() {
		openapi3.DefineStringFormatValidator(IPOrCIDR, openapi3.NewCallbackValidator(accesslist.CheckEntry))
	})
}
