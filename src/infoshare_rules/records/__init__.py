"""Decision records (guide 4.30-4.31): what was decided, on which rules, and why, kept to be checked later."""
