"""The grading engine: probes run on the student's code, compared with the reference, diagnosed.

* :mod:`~autograder.engine.grade`: ``grade(spec, student)``, the one entry point;
* :mod:`~autograder.engine.checks`: the registry of check kinds, one module per thing checked;
* :mod:`~autograder.engine.probe` and :mod:`~autograder.engine.verdict`: one probe's outcome,
  and the pipeline every kind uses (compare, accepted alternatives, diagnose);
* :mod:`~autograder.engine.compare`, :mod:`~autograder.engine.diagnosis`: tolerances, and
  naming the mistake;
* :mod:`~autograder.engine.student_code`: the ``StudentCode`` interface checks call;
  :mod:`~autograder.engine.conventions`: what each calling convention is, seen from here;
* :mod:`~autograder.engine.reference_cache`: reference numbers kept on disk;
* :mod:`~autograder.engine.forbidden_scan`: forbidden APIs, read from the source.
"""
