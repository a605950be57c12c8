"""Final scores from the gradebook as files an LMS imports: CSV, Gradescope, Canvas."""

from __future__ import annotations

import csv
import io


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def export_csv(rows, assignment: str) -> str:
    """Every number: raw score, late penalty, final score, status."""
    header = ["student", "assignment", "status", "raw_score", "late_penalty", "score", "max_score", "seconds_late"]
    return _csv(header, [
        [r.student, assignment, r.status, f"{r.raw_score:g}", f"{r.late_penalty:g}", f"{r.score:g}",
         f"{r.max_score:g}", f"{r.seconds_late:g}"] for r in rows
    ])  # fmt: skip


def export_gradescope(rows, assignment: str) -> str:
    """Gradescope's score upload: Name, SID, Email, Total Score."""
    table = [[f"{r.first_name} {r.last_name}".strip() or r.student, r.student, r.email, f"{r.score:g}"] for r in rows]
    return _csv(["Name", "SID", "Email", "Total Score"], table)


def export_canvas(rows, assignment: str) -> str:
    """Canvas's gradebook import: a Points Possible row, then one row per student (ID = Canvas id)."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]
    possible = ["Points Possible", "", "", "", "", f"{rows[0].max_score:g}" if rows else ""]
    table = [[f"{r.last_name}, {r.first_name}".strip(", ") or r.student, r.student, "", "", "", f"{r.score:g}"]
             for r in rows]  # fmt: skip
    return _csv(header, [possible, *table])


EXPORTERS = {"csv": export_csv, "gradescope": export_gradescope, "canvas": export_canvas}
