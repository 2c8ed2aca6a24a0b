"""`agents-lite worker`: an RQ worker for agent run jobs (a thin wrapper over `rq worker`).

What it adds to `rq worker`: the current directory (and `--path`s) on `sys.path` so agent
modules import; the agents_lite modules a run needs (and the `--preload`ed agents) imported once
in the parent, so each forked job starts warm; a check at start that preloaded agents import;
tracing flushed after every job (a forked RQ job ends without running exit handlers) and at exit.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Any, Optional

# Imported in the parent so every forked work horse has them already.
_WARM_MODULES = (
    "requests",
    "jsonschema",
    "sseclient",
    "agents_lite.jobs.worker_run",
    "agents_lite.jobs.rq_jobs",
    "agents_lite.run",
    "agents_lite.checkpointing",
    "agents_lite.run_state_codec",
    "agents_lite.agent_output",
    "agents_lite.schema",
    "agents_lite.strict_schema",
    "agents_lite.schema_validation",
    "agents_lite.checkpoint.redis_store",
    "agents_lite.memory.redis_session",
    "agents_lite.models.http",
    "agents_lite.models.multi_provider",
    "agents_lite.models.openai_responses",
    "agents_lite.models.openai_chatcompletions",
    "agents_lite.tracing.run_tracing",
    "agents_lite.tracing.processors",
    "agents_lite.tracing.exporters",
    "agents_lite.tracing.http_post",
)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `agents-lite worker`."""
    parser.add_argument("--queue", "-q", action="append", dest="queues", metavar="NAME",
                        help="queue to work on (repeatable; default: agents)")
    parser.add_argument("--url", "-u", default=None,
                        help="Redis URL (default: env REDIS_URL or redis://127.0.0.1:6379/0)")
    parser.add_argument("--burst", "-b", action="store_true",
                        help="quit when the queues are empty")
    parser.add_argument("--name", "-n", default=None, help="worker name")
    parser.add_argument("--max-jobs", type=int, default=None, help="quit after this many jobs")
    parser.add_argument("--with-scheduler", "-s", action="store_true",
                        help="also run RQ's scheduler (needed for retry_interval)")
    parser.add_argument("--maintenance-interval", type=int, default=None, metavar="SECONDS",
                        help="how often to sweep for jobs of lost workers (RQ default: 600)")
    parser.add_argument("--preload", action="append", default=[], metavar="MODULE[:AGENT]",
                        help="import a module (or check an agent path) before working")
    parser.add_argument("--path", "-P", action="append", default=[], metavar="DIR",
                        help="add a directory to sys.path (the current one always is)")
    parser.add_argument("--simple", action="store_true",
                        help="run jobs in the worker process (no fork; for debugging)")
    parser.add_argument("--verbose", "-v", action="store_true", help="debug logging")
    parser.add_argument("--quiet", action="store_true", help="warnings only")


def _warm_up(preload: list[str]) -> None:
    from .spec import load_agent

    for name in _WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    for target in preload:
        if ":" in target:
            load_agent(target)
        else:
            importlib.import_module(target)


def run_worker(
    queues: list[str],
    *,
    url: Optional[str] = None,
    burst: bool = False,
    name: Optional[str] = None,
    max_jobs: Optional[int] = None,
    with_scheduler: bool = False,
    preload: Optional[list[str]] = None,
    paths: Optional[list[str]] = None,
    simple: bool = False,
    logging_level: str = "INFO",
    maintenance_interval: Optional[int] = None,
) -> bool:
    """Work on `queues` until stopped (or until they are empty with `burst`); whether any job
    was processed."""
    from redis import Redis
    from rq import SimpleWorker, Worker

    for path in [os.getcwd(), *(paths or [])]:
        if path not in sys.path:
            sys.path.insert(0, path)
    _warm_up(list(preload or []))
    connection = Redis.from_url(url or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    worker_class: Any = SimpleWorker if simple else Worker
    extra: dict[str, Any] = {}
    if maintenance_interval is not None:
        extra["maintenance_interval"] = maintenance_interval
    worker = worker_class(queues, connection=connection, name=name, **extra)
    try:
        return bool(worker.work(burst=burst, max_jobs=max_jobs, with_scheduler=with_scheduler,
                                logging_level=logging_level))
    finally:
        from .worker_run import _flush_tracing

        _flush_tracing()


def main(args: argparse.Namespace) -> int:
    """Entry of the `worker` subcommand."""
    level = "DEBUG" if args.verbose else "WARNING" if args.quiet else "INFO"
    # rq configures its own loggers; this one shows agents_lite's warnings (failed jobs...).
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    package_logger = logging.getLogger("agents_lite")
    package_logger.addHandler(handler)
    package_logger.setLevel(getattr(logging, level))
    from ..exceptions import UserError

    try:
        import redis  # noqa: F401
        import rq  # noqa: F401
    except ImportError as exc:
        print(f"agents-lite worker needs rq and redis: pip install 'agents-lite[rq]' ({exc})",
              file=sys.stderr)
        return 2
    try:
        run_worker(
            args.queues or ["agents"], url=args.url, burst=args.burst, name=args.name,
            max_jobs=args.max_jobs, with_scheduler=args.with_scheduler, preload=args.preload,
            paths=args.path, simple=args.simple, logging_level=level,
            maintenance_interval=args.maintenance_interval,
        )
    except (UserError, ImportError) as exc:
        print(f"agents-lite worker: {exc}", file=sys.stderr)
        return 2
    return 0
