"""Facts about a case (frozen attrs classes) and their JSON form: what goes into a decision."""
