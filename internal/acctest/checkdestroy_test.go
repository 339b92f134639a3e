package acctest_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cegedim-cloud/terraform-provider-itcare/internal/acctest"
)

func stateOf(resources map[string]*terraform.ResourceState) *terraform.State {
	return &terraform.State{Modules: []*terraform.ModuleState{{Path: []string{"root"}, Resources: resources}}}
}

func TestEmulatorCheckDestroy(t *testing.T) {
	e := acctest.NewEmulator(t)
	in, err := e.SeedInstance(map[string]any{
		"name": acctest.RandomName("pgcheckdestroy"), "serviceId": 1001, "networkId": 2001, "area": "EB-QA", "trigram": "ACC",
		"nodeSizing": "2cpu4gb", "diskSize": 40, "postgreVersion": "15", "topology": "STANDALONE",
	})
	if err != nil {
		t.Fatal(err)
	}
	state := stateOf(map[string]*terraform.ResourceState{
		"itcare_postgresql.db": {Type: acctest.PostgreSQLType, Primary: &terraform.InstanceState{ID: fmt.Sprint(in.ID)}},
		// Other resource types are not ITCare instances.
		"terraform_data.x": {Type: "terraform_data", Primary: &terraform.InstanceState{ID: "not-a-number"}},
	})

	if err := e.CheckDestroy(state); err == nil {
		t.Errorf("CheckDestroy passed while instance %d is still in ITCare", in.ID)
	}
	if err := e.DeleteInstance(in.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.CheckDestroy(state); err != nil {
		t.Errorf("CheckDestroy after the instance was deleted: %v", err)
	}
	if err := e.CheckDestroy(nil); err != nil {
		t.Errorf("CheckDestroy of no state: %v", err)
	}

	bad := stateOf(map[string]*terraform.ResourceState{
		"itcare_postgresql.db": {Type: acctest.PostgreSQLType, Primary: &terraform.InstanceState{ID: "pgname"}},
	})
	if err := e.CheckDestroy(bad); err == nil {
		t.Error("CheckDestroy accepted an id that is not an ITCare id")
	}
}
