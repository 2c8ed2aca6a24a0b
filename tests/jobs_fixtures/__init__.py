"""Agent modules that the worker processes of the job tests import (tests/ is on their path)."""
