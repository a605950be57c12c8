"""gdgrade's autograder: specs, adapters, checks, diagnosis and the command line."""

__version__ = "0.1.0"
