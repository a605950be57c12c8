"""``python -m autograder.cli``: the ``gdgrade`` command."""

import sys

from autograder.cli import main

sys.exit(main())
