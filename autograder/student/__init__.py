"""The only gdgrade code that ever runs beside student code.

The grader sends these modules' source into the student's kernel after the notebook's own
cells have run, and they do one thing there: call the student's functions the way a
question's calling convention says, on the inputs the grader chose, and send the raw
results back as plain data. Nothing here computes an answer a question grades: no
optimizer, schedule, gradient or reference number lives in this package. Where student
code needs a loss or a gradient (a closed loop, a numerical gradient, a range test), it
gets a *callback* that asks the grader for the number across the boundary.

Every decision about a grade (comparison, input mutation, forbidden APIs, tolerances) is
made by the grader from data it controls; what comes back from here is treated as
untrusted input. The package imports only the standard library, numpy, torch (lazily,
when a torch convention is used) and itself: ``tests/student/test_student_package.py``
proves it.
"""
