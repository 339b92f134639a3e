package acctest

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// PostgreSQLType is the resource type whose instances CheckDestroy looks
// for in the state.
const PostgreSQLType = "itcare_postgresql"

// CheckDestroy asks the emulator whether every itcare_postgresql instance
// of the state is gone. Use it as a TestCase's CheckDestroy, which gets the
// state the final destroy started from. terraform-plugin-testing does not
// call CheckDestroy when the state is already empty after the last step: a
// test that ends with a destroy step also uses it as that step's Check,
// which gets the state before that destroy.
func (e *Emulator) CheckDestroy(s *terraform.State) error {
	if s == nil {
		return nil
	}
	var errs []error
	for _, m := range s.Modules {
		for addr, rs := range m.Resources {
			if rs.Type != PostgreSQLType || rs.Primary == nil {
				continue
			}
			id, err := strconv.ParseInt(rs.Primary.ID, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: id %q is not an ITCare id", addr, rs.Primary.ID))
				continue
			}
			if in, ok := e.Instance(id); ok {
				errs = append(errs, fmt.Errorf("%s: instance %d (%s) is still in ITCare, %s", addr, id, in.Name, in.Status))
			}
		}
	}
	return errors.Join(errs...)
}
