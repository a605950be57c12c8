"""gdgrade's autograder: grading of optimizer code against trusted references.

The public API, for a notebook or a script (each name is imported on first use, so that
``import autograder`` stays cheap)::

    from autograder import builtin_spec, grade
    result = grade(builtin_spec("cs231n-optim"), {"adam": adam, "sgd_momentum": sgd_momentum})
    result.score, result.max_score, [check.message for check in result.checks]

* :func:`grade` (:mod:`autograder.engine.grade`): grade a namespace or a kernel's code;
* :func:`builtin_spec`, :func:`load_spec`, :func:`parse_spec` (:mod:`autograder.assignment`):
  validated assignment specs;
* :func:`checker` (:mod:`autograder.selfcheck`): a student's self-check inside a notebook;
* :func:`register_check_kind` (:mod:`autograder.engine.checks`): a custom check kind.

Everything else is reached through its package: ``engine``, ``sandbox``, ``student``,
``reports``, ``course`` and ``cli``.
"""

import importlib
import sys

__version__ = "0.1.0"

# nbformat imports jsonschema, which imports rfc3987_syntax when it is installed (jupyter-events
# asks for it), only to check the "iri" string format, which no notebook schema uses. Building
# its grammar costs 1.2 s of CPU in every grader process and every CLI start, so jsonschema is
# told it is absent, exactly as on an installation without it.
sys.modules.setdefault("rfc3987_syntax", None)

_PUBLIC = {
    "grade": ("autograder.engine.grade", "grade"),
    "builtin_spec": ("autograder.assignment", "builtin_spec"),
    "load_spec": ("autograder.assignment", "load_spec"),
    "parse_spec": ("autograder.assignment", "parse_spec"),
    "checker": ("autograder.selfcheck", "checker"),
    "register_check_kind": ("autograder.engine.checks", "register"),
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    """Import a public name on first use."""
    if name not in _PUBLIC:
        raise AttributeError(f"module 'autograder' has no attribute {name!r}")
    module, attribute = _PUBLIC[name]
    return getattr(importlib.import_module(module), attribute)


def __dir__() -> list[str]:
    """The module's names, the lazily imported public ones included."""
    return sorted(set(globals()) | set(_PUBLIC))
