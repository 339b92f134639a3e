# Import an instance made in the ITCare console, by name (or by numeric id),
# then let Terraform write its configuration:
#   terraform plan -generate-config-out=generated.tf
import {
  to = itcare_postgresql.legacy
  id = "legacydb01"
}
