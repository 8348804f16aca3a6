"""Many decisions in one process tree: ``decide_many`` (all cores), record errors as values, file formats."""
