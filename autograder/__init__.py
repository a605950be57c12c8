"""gdgrade's autograder: specs, adapters, checks, diagnosis and the command line."""

import sys

__version__ = "0.1.0"

# nbformat imports jsonschema, which imports rfc3987_syntax when it is installed (jupyter-events
# asks for it), only to check the "iri" string format, which no notebook schema uses. Building
# its grammar costs 1.2 s of CPU in every grader process and every CLI start, so jsonschema is
# told it is absent, exactly as on an installation without it.
sys.modules.setdefault("rfc3987_syntax", None)
