SERVICE = "dispatch"  # the CloudEvents source of everything dispatch records
