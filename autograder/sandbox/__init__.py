"""Where student code runs: the sandbox backends, the kernel and its one-use pool.

* :mod:`~autograder.sandbox.backends`: ``Sandbox`` and ``Limits``, and the command line
  of a kernel for bwrap, docker or none; :mod:`~autograder.sandbox.seccomp` its filter;
* :mod:`~autograder.sandbox.jobdir`: a job's folders, uids, mounts and stray processes;
* :mod:`~autograder.sandbox.channel`: one execute_request under a hard deadline and caps;
* :mod:`~autograder.sandbox.kernel`: a kernel session (boot, run cells, restart, close);
* :mod:`~autograder.sandbox.pool` and :mod:`~autograder.sandbox.forkserver`: kernels
  started ahead, forked from a server that has the preloads in memory;
* :mod:`~autograder.sandbox.remote`: the student's code in a kernel, as a StudentCode.
"""
