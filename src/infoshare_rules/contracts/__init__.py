"""The JSON contract other languages program against: versioned schemas and decisions read back."""
