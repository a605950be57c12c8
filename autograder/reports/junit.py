"""JUnit XML: one test suite per submission, one test case per check (CI systems read it)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from autograder.results import CheckResult, SubmissionResult

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Any text, with the characters XML 1.0 cannot hold replaced."""
    return _NOT_XML.sub("?", str(value))


def _details(check: CheckResult) -> str:
    lines = [check.message, f"score {check.score:g} of {check.max_score:g}"]
    comparison = check.comparison
    if comparison is not None and comparison.first_bad_step is not None:
        lines.append(f"first divergent step: {comparison.first_bad_step}")
    if comparison is not None and not check.passed:
        lines += [f"step {row.step}: yours {row.student} reference {row.reference}" for row in comparison.rows]
    return "\n".join(lines)


def junit_xml(results: list[SubmissionResult]) -> str:
    """JUnit XML for a batch; a check below full marks is a failure with its message."""
    suites = ElementTree.Element("testsuites", name="gdgrade")
    for result in results:
        failures = sum(not check.passed for check in result.checks)
        suite = ElementTree.SubElement(suites, "testsuite", name=xml_text(result.student),
                                       tests=str(len(result.checks)), failures=str(failures),
                                       time=f"{result.seconds:.3f}")  # fmt: skip
        for check in result.checks:
            classname = xml_text(f"{result.student}.{check.question}")
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=xml_text(check.name))
            if not check.passed:
                failure = ElementTree.SubElement(case, "failure", message=xml_text(check.message[:500]))
                failure.text = xml_text(_details(check))
        if result.error:
            ElementTree.SubElement(suite, "system-err").text = xml_text(result.error)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)
