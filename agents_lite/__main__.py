"""`python -m agents_lite` runs the `agents-lite` command."""

import sys

from .cli import main

sys.exit(main())
