"""Batch and CI report formats, rendered from the native result JSON (plain data only).

* JUnit XML: one test suite per submission, one test case per check.
* Gradescope ``results.json``: per Gradescope's specification (score, execution_time,
  output, tests with name, score, max_score, status, output and visibility).
* CSV: one row per submission, with a column per question.
"""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """Any text, with the characters XML 1.0 cannot hold replaced."""
    return _NOT_XML.sub("?", str(value))


def junit_xml(results: list[dict]) -> str:
    """JUnit XML for a batch; a check below full marks is a failure with its message."""
    suites = ElementTree.Element("testsuites", name="gdgrade")
    for payload in results:
        checks = payload["checks"]
        failures = sum(not check["passed"] for check in checks)
        suite = ElementTree.SubElement(
            suites, "testsuite", name=xml_text(payload["student"]), tests=str(len(checks)), failures=str(failures),
            time=f"{payload.get('seconds', 0):.3f}",
        )  # fmt: skip
        for check in checks:
            question, _, name = check["name"].partition("/")
            classname = xml_text(f"{payload['student']}.{question}")
            case = ElementTree.SubElement(suite, "testcase", classname=classname, name=xml_text(name))
            if not check["passed"]:
                failure = ElementTree.SubElement(case, "failure", message=xml_text(check["message"][:500]))
                failure.text = xml_text(_details(check))
        if payload.get("error"):
            ElementTree.SubElement(suite, "system-err").text = xml_text(payload["error"])
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def _details(check: dict) -> str:
    lines = [check["message"], f"score {check['score']:g} of {check['max_score']:g}"]
    if check.get("first_divergent_step") is not None:
        lines.append(f"first divergent step: {check['first_divergent_step']}")
    lines += [
        f"step {row['step']}: yours {row['student']} reference {row['reference']}" for row in check.get("rows", [])
    ]
    return "\n".join(lines)


def gradescope_results(payload: dict) -> dict:
    """Gradescope's results.json for one submission."""
    tests = []
    for number, check in enumerate(payload["checks"], start=1):
        output = check["message"]
        if check.get("diagnosis"):
            output += f"\n\n{check['diagnosis']['message']}" if check["diagnosis"]["message"] not in output else ""
        tests.append(
            {
                "name": check["name"],
                "number": str(number),
                "score": round(check["score"], 4),
                "max_score": check["max_score"],
                "status": "passed" if check["passed"] else "failed",
                "output": output,
                "visibility": "visible",
            }
        )
    summary = f"gdgrade: {payload['score']:g} / {payload['max_score']:g}"
    if payload.get("error"):
        summary += f"\n{payload['error']}"
    return {
        "score": round(payload["score"], 4),
        "execution_time": round(payload.get("seconds", 0.0), 3),
        "output": summary,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def csv_summary(results: list[dict]) -> str:
    """student, score, max_score, one column per question, error."""
    questions = list(dict.fromkeys(check["name"].partition("/")[0] for p in results for check in p["checks"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "score", "max_score", *questions, "error"])
    for payload in results:
        per_question = {q: 0.0 for q in questions}
        for check in payload["checks"]:
            per_question[check["name"].partition("/")[0]] += check["score"]
        row = [payload["student"], f"{payload['score']:g}", f"{payload['max_score']:g}"]
        writer.writerow(row + [f"{per_question[q]:g}" for q in questions] + [payload.get("error") or ""])
    return buffer.getvalue()


def markdown_summary(payload: dict) -> str:
    """A Markdown table of one submission's checks, for a CI job summary."""
    score, most = payload["score"], payload["max_score"]
    lines = [
        f"### gdgrade: {payload['student']} — {score:g}/{most:g} ({payload['assignment']})",
        "",
        "| check | score | verdict |",
        "|---|---|---|",
    ]
    for check in payload["checks"]:
        verdict = "passed" if check["passed"] else check["message"].replace("|", "\\|").replace("\n", " ")
        mark = "✅" if check["passed"] else "❌"
        lines.append(f"| {mark} `{check['name']}` | {check['score']:g}/{check['max_score']:g} | {verdict} |")
    if payload.get("error"):
        lines += ["", f"**The notebook could not be graded normally:** {payload['error']}"]
    return "\n".join(lines) + "\n"
