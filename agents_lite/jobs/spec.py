"""`JobSpec`: the payload of a run job — JSON only, validated when the job is enqueued.

A job names its agent by import path ("package.module:attr"; `attr` may be dotted and may be a
zero-argument factory returning the agent), so the payload carries no code and any worker that
has the package installed can run it. Everything else is plain JSON: the input, the session id,
the `RunConfig` fields that are data, and the run options.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Optional, Union

from ..exceptions import UserError
from .keys import DEFAULT_KEY_PREFIX

if TYPE_CHECKING:
    from ..agent import Agent
    from ..run_config import RunConfig

SPEC_VERSION = 1
"""Version of the job payload; workers refuse payloads of a newer version."""

RUN_OPTIONS = frozenset({
    "context", "max_turns", "key_prefix", "events_maxlen", "events_ttl", "lease_seconds",
    "session_ttl", "raw_events", "redis_url",
})
"""The options of `enqueue_run` that shape the run (the others go to the queue engine)."""

RUN_CONFIG_FIELDS: dict[str, Union[type, tuple[type, ...]]] = {
    "model": str,
    "model_settings": dict,
    "workflow_name": str,
    "trace_id": str,
    "group_id": str,
    "trace_metadata": dict,
    "tracing": dict,
    "tracing_disabled": bool,
    "trace_include_sensitive_data": bool,
    "tool_not_found_behavior": str,
    "max_total_tokens": int,
    "max_cost_usd": (int, float),
}
"""The `RunConfig` fields a job may set (the ones that are plain data)."""

_AGENT_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")


@dataclass
class Decision:
    """A human's decision on one pending tool call, carried by a resume job."""

    call_id: str
    approve: bool
    always: bool = False
    """Approve (or reject) every later call of the same tool too."""
    message: Optional[str] = None
    """For rejections: what the model is told."""


@dataclass
class JobSpec:
    """What a worker needs to run (or resume) one agent run. Build it with `JobSpec.create`."""

    agent: str
    """Import path of the agent, "package.module:attr"."""
    run_id: str
    kind: Literal["start", "resume"] = "start"
    input: Union[str, list[dict[str, Any]], None] = None
    session_id: Optional[str] = None
    run_config: dict[str, Any] = field(default_factory=dict)
    context: Any = None
    """The run context (JSON); restored from the checkpoint when a run resumes."""
    max_turns: Optional[int] = 10
    key_prefix: str = DEFAULT_KEY_PREFIX
    events_maxlen: int = 10_000
    """Approximate length cap of the run's event stream."""
    events_ttl: int = 86_400
    """Seconds the event stream is kept after its last event."""
    lease_seconds: float = 20.0
    """Lifetime of the run's lease; a heartbeat renews it while the worker lives."""
    session_ttl: Optional[int] = None
    raw_events: bool = True
    """Publish the model's raw stream events (text deltas...), not only item events."""
    redis_url: Optional[str] = None
    """Redis for sessions, checkpoints and events; default: the queue's own Redis."""
    decisions: list[Decision] = field(default_factory=list)
    from_step: Optional[int] = None
    """For resume jobs: the checkpoint step the decisions were taken on."""
    version: int = SPEC_VERSION

    @classmethod
    def create(
        cls,
        *,
        agent: str,
        input: Union[str, list[dict[str, Any]]],
        session_id: Optional[str] = None,
        run_id: Optional[str] = None,
        run_config: Optional[dict[str, Any]] = None,
        **options: Any,
    ) -> JobSpec:
        """A validated start job. `options` are the run options (`RUN_OPTIONS`); anything that
        is not JSON, an unknown option or a malformed agent path raises `UserError`."""
        unknown = sorted(set(options) - RUN_OPTIONS)
        if unknown:
            raise UserError(f"Unknown run job options {unknown}; known: {sorted(RUN_OPTIONS)}")
        spec = cls(
            agent=agent,
            run_id=run_id if run_id is not None else f"run_{uuid.uuid4().hex}",
            input=input,
            session_id=session_id,
            run_config={} if run_config is None else run_config,
            **options,
        )
        spec.validate()
        return spec

    def resume_spec(self, decisions: list[Decision], from_step: int) -> JobSpec:
        """The resume job of this run with `decisions` taken on checkpoint `from_step`."""
        data = self.to_dict()
        data.update(kind="resume", input=None, context=None, from_step=from_step,
                    decisions=[asdict(d) for d in decisions])
        return JobSpec.from_dict(data)

    # --- validation ---------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise `UserError` unless every field is well formed and JSON."""
        if not isinstance(self.agent, str) or not _AGENT_PATH.match(self.agent):
            raise UserError(
                f"agent must be an import path like 'package.module:attr', got {self.agent!r}"
            )
        if not isinstance(self.run_id, str) or not self.run_id:
            raise UserError(f"run_id must be a non-empty string, got {self.run_id!r}")
        if self.kind not in ("start", "resume"):
            raise UserError(f"kind must be 'start' or 'resume', got {self.kind!r}")
        if self.kind == "start":
            _check_input(self.input)
        if self.session_id is not None and (not isinstance(self.session_id, str)
                                            or not self.session_id):
            raise UserError(f"session_id must be a non-empty string, got {self.session_id!r}")
        _check_run_config(self.run_config)
        require_json(self.context, "context")
        if self.max_turns is not None and not _is_int(self.max_turns, minimum=1):
            raise UserError(f"max_turns must be an int >= 1 or None, got {self.max_turns!r}")
        if not isinstance(self.key_prefix, str) or not self.key_prefix:
            raise UserError(f"key_prefix must be a non-empty string, got {self.key_prefix!r}")
        for name in ("events_maxlen", "events_ttl"):
            if not _is_int(getattr(self, name), minimum=1):
                raise UserError(f"{name} must be an int >= 1, got {getattr(self, name)!r}")
        lease = self.lease_seconds
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease >= 1:
            raise UserError(f"lease_seconds must be a number >= 1, got {lease!r}")
        if self.session_ttl is not None and not _is_int(self.session_ttl, minimum=1):
            raise UserError(f"session_ttl must be an int >= 1 or None, got {self.session_ttl!r}")
        if not isinstance(self.raw_events, bool):
            raise UserError(f"raw_events must be a bool, got {self.raw_events!r}")
        if self.redis_url is not None and not isinstance(self.redis_url, str):
            raise UserError(f"redis_url must be a string, got {self.redis_url!r}")
        for decision in self.decisions:
            if not isinstance(decision, Decision) or not isinstance(decision.call_id, str):
                raise UserError(f"Malformed decision {decision!r}")
        if self.version != SPEC_VERSION:
            raise UserError(
                f"Run job payload version {self.version!r} is not supported by this worker "
                f"(supported: {SPEC_VERSION}); upgrade agents_lite on the workers"
            )

    # --- (de)serialisation --------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The payload as a JSON-safe dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> JobSpec:
        """A spec from `to_dict()` output; malformed payloads raise `UserError`."""
        if not isinstance(data, dict):
            raise UserError(f"A run job payload must be a dict, got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise UserError(f"Unknown fields in run job payload: {unknown}")
        missing = sorted({"agent", "run_id"} - set(data))
        if missing:
            raise UserError(f"Run job payload lacks {missing}")
        fields = dict(data)
        decisions = fields.get("decisions") or []
        if not isinstance(decisions, list):
            raise UserError("Run job payload: decisions must be a list")
        try:
            fields["decisions"] = [Decision(**d) for d in decisions]
        except TypeError as exc:
            raise UserError(f"Run job payload: malformed decision ({exc})") from exc
        spec = cls(**fields)
        spec.validate()
        return spec


# --- helpers --------------------------------------------------------------------------------


def require_json(value: Any, what: str) -> None:
    """Raise `UserError` unless `value` survives a JSON round trip unchanged."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UserError(f"{what} must be JSON-serialisable: {exc}") from exc
    if json.loads(text) != value:
        raise UserError(
            f"{what} does not survive JSON unchanged (tuples, non-string keys...): use lists "
            "and string keys"
        )


def _is_int(value: Any, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _check_input(value: Any) -> None:
    if isinstance(value, str):
        return
    if not isinstance(value, list):
        raise UserError(
            f"input must be a string or a list of input items, got {type(value).__name__}"
        )
    for item in value:
        if not isinstance(item, dict):
            raise UserError(f"input items must be dicts, got {type(item).__name__}")
    require_json(value, "input")


def _check_run_config(config: Any) -> None:
    if not isinstance(config, dict):
        raise UserError(f"run_config must be a dict of RunConfig fields, got {config!r}")
    for key, value in config.items():
        kind = RUN_CONFIG_FIELDS.get(key)
        if kind is None:
            raise UserError(
                f"run_config field {key!r} cannot be sent to a worker; allowed: "
                f"{sorted(RUN_CONFIG_FIELDS)} (objects such as model providers belong in the "
                "agent's module)"
            )
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)
                                  and kind is not bool):
            raise UserError(f"run_config[{key!r}] has the wrong type: {value!r}")
    require_json(config, "run_config")
    build_run_config(config)


def build_run_config(config: dict[str, Any]) -> RunConfig:
    """The `RunConfig` for a job's `run_config` dict."""
    from ..model_settings import ModelSettings
    from ..run_config import RunConfig

    fields = {k: v for k, v in config.items() if v is not None}
    if "model_settings" in fields:
        try:
            fields["model_settings"] = ModelSettings(**fields["model_settings"])
        except TypeError as exc:
            raise UserError(f"run_config['model_settings']: {exc}") from exc
    try:
        return RunConfig(**fields)
    except TypeError as exc:
        raise UserError(f"run_config: {exc}") from exc


def load_agent(path: str) -> Agent[Any]:
    """Import the agent named by "package.module:attr" (calling `attr` if it is a factory)."""
    from ..agent import Agent

    module_name, _, attr_path = path.partition(":")
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr_path.split("."):
            target = getattr(target, part)
    except Exception as exc:
        raise UserError(f"Cannot import the agent {path!r}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(target, Agent) and callable(target):
        try:
            target = target()
        except Exception as exc:
            raise UserError(f"The agent factory {path!r} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(target, Agent):
        raise UserError(f"{path!r} is not an Agent (nor a factory of one): {type(target).__name__}")
    return target
