# Import by the numeric ITCare id of the instance.
terraform import itcare_postgresql.app 500061854

# A non-numeric id is taken as the instance name.
terraform import itcare_postgresql.app appdb01
