"""agents_lite: a synchronous, dependency-light SDK for LLM agents.

    >>> from agents_lite import Agent, Runner
    >>> agent = Agent(name="Assistant", instructions="Be brief.")
    >>> # result = Runner.run_sync(agent, "Hello")   # needs a model (OPENAI_API_KEY or a local one)

The core is imported eagerly and is light; model clients, sessions, tracing and the optional parts
load on first use through the module `__getattr__` below.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from .agent import Agent, StopAtTools, ToolsToFinalOutputResult
from .exceptions import (
    AgentsException,
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BudgetExceeded,
    ConflictError,
    InputGuardrailTripwireTriggered,
    InternalServerError,
    MaxTurnsExceeded,
    ModelBehaviorError,
    ModelRefusalError,
    NotFoundError,
    OutputGuardrailTripwireTriggered,
    PermissionDeniedError,
    RateLimitError,
    RunErrorDetails,
    ToolInputGuardrailTripwireTriggered,
    ToolOutputGuardrailTripwireTriggered,
    ToolTimeoutError,
    UnprocessableEntityError,
    UserError,
)
from .guardrail import (
    GuardrailFunctionOutput,
    InputGuardrail,
    InputGuardrailResult,
    OutputGuardrail,
    OutputGuardrailResult,
    input_guardrail,
    output_guardrail,
)
from .handoffs import Handoff, HandoffInputData, HandoffInputFilter, handoff
from .items import (
    HandoffCallItem,
    HandoffOutputItem,
    ItemHelpers,
    MCPApprovalRequestItem,
    MCPApprovalResponseItem,
    MCPListToolsItem,
    MessageOutputItem,
    ModelResponse,
    ReasoningItem,
    RunItem,
    ToolApprovalItem,
    ToolCallItem,
    ToolCallOutputItem,
    TResponseInputItem,
)
from .lifecycle import AgentHooks, RunHooks
from .model_settings import ModelRetrySettings, ModelSettings
from .models.interface import Model, ModelProvider, ModelTracing
from .result import RunResult, RunResultStreaming
from .run import DEFAULT_MAX_TURNS, Runner, run_sync
from .run_config import (
    CallModelData,
    ModelInputData,
    RunConfig,
    RunErrorData,
    RunErrorHandlerInput,
    RunErrorHandlerResult,
)
from .run_context import RunContextWrapper, ToolContext
from .run_state import RunState
from .stream_events import (
    AgentUpdatedStreamEvent,
    RawResponsesStreamEvent,
    RunItemStreamEvent,
    StreamEvent,
)
from .tool import (
    CodeInterpreterTool,
    FileSearchTool,
    FunctionTool,
    FunctionToolResult,
    HostedMCPTool,
    ImageGenerationTool,
    Tool,
    ToolOutputFileContent,
    ToolOutputImage,
    ToolOutputText,
    WebSearchTool,
    default_tool_error_function,
    function_tool,
)
from .tool_guardrails import (
    ToolGuardrailFunctionOutput,
    ToolInputGuardrail,
    ToolInputGuardrailData,
    ToolOutputGuardrail,
    ToolOutputGuardrailData,
    tool_input_guardrail,
    tool_output_guardrail,
)
from .usage import Usage, set_model_price
from .version import __version__

logging.getLogger("agents_lite").addHandler(logging.NullHandler())

# Names whose modules load on first access (heavier, or optional).
_LAZY: dict[str, str] = {
    "AgentOutputSchema": "agents_lite.agent_output",
    "AgentOutputSchemaBase": "agents_lite.agent_output",
    "OpenAIResponsesModel": "agents_lite.models.openai_responses",
    "OpenAIChatCompletionsModel": "agents_lite.models.openai_chatcompletions",
    "OpenAIProvider": "agents_lite.models.openai_provider",
    "MultiProvider": "agents_lite.models.multi_provider",
    "MultiProviderMap": "agents_lite.models.multi_provider",
    "OpenAIClient": "agents_lite.models.defaults",
    "set_default_openai_key": "agents_lite.models.defaults",
    "set_default_openai_client": "agents_lite.models.defaults",
    "set_default_openai_api": "agents_lite.models.defaults",
    "Session": "agents_lite.memory",
    "SessionABC": "agents_lite.memory",
    "SessionSettings": "agents_lite.memory",
    "SQLiteSession": "agents_lite.memory",
    "RedisSession": "agents_lite.memory",
    "InMemorySession": "agents_lite.memory",
    "OpenAIConversationsSession": "agents_lite.memory",
    "SQLiteCheckpointStore": "agents_lite.checkpoint",
    "RedisCheckpointStore": "agents_lite.checkpoint",
    "CheckpointStore": "agents_lite.checkpoint",
    "CheckpointInfo": "agents_lite.checkpoint",
    "Computer": "agents_lite.computer",
    "ComputerTool": "agents_lite.computer",
    "ShellTool": "agents_lite.shell",
    "LocalShellTool": "agents_lite.shell",
    "LocalShellExecutor": "agents_lite.shell",
    "ApplyPatchTool": "agents_lite.apply_patch",
    "ApplyPatchEditor": "agents_lite.apply_patch",
    "WorkspaceEditor": "agents_lite.apply_patch",
    "apply_diff": "agents_lite.apply_diff",
    "trace": "agents_lite.tracing",
    "agent_span": "agents_lite.tracing",
    "custom_span": "agents_lite.tracing",
    "function_span": "agents_lite.tracing",
    "generation_span": "agents_lite.tracing",
    "response_span": "agents_lite.tracing",
    "handoff_span": "agents_lite.tracing",
    "guardrail_span": "agents_lite.tracing",
    "mcp_tools_span": "agents_lite.tracing",
    "speech_span": "agents_lite.tracing",
    "speech_group_span": "agents_lite.tracing",
    "transcription_span": "agents_lite.tracing",
    "task_span": "agents_lite.tracing",
    "turn_span": "agents_lite.tracing",
    "get_current_trace": "agents_lite.tracing",
    "get_current_span": "agents_lite.tracing",
    "TracingProcessor": "agents_lite.tracing",
    "add_trace_processor": "agents_lite.tracing",
    "set_trace_processors": "agents_lite.tracing",
    "set_tracing_disabled": "agents_lite.tracing",
    "set_tracing_export_api_key": "agents_lite.tracing",
    "flush_traces": "agents_lite.tracing",
    "BatchTraceProcessor": "agents_lite.tracing",
    "BackendSpanExporter": "agents_lite.tracing",
    "ConsoleSpanExporter": "agents_lite.tracing",
    "FileSpanExporter": "agents_lite.tracing",
    "OTLPSpanExporter": "agents_lite.tracing",
}

__all__ = [
    "DEFAULT_MAX_TURNS",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentHooks",
    "AgentUpdatedStreamEvent",
    "AgentsException",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceeded",
    "CallModelData",
    "CodeInterpreterTool",
    "ConflictError",
    "FileSearchTool",
    "FunctionTool",
    "FunctionToolResult",
    "GuardrailFunctionOutput",
    "Handoff",
    "HandoffCallItem",
    "HandoffInputData",
    "HandoffInputFilter",
    "HandoffOutputItem",
    "HostedMCPTool",
    "ImageGenerationTool",
    "InputGuardrail",
    "InputGuardrailResult",
    "InputGuardrailTripwireTriggered",
    "InternalServerError",
    "ItemHelpers",
    "MCPApprovalRequestItem",
    "MCPApprovalResponseItem",
    "MCPListToolsItem",
    "MaxTurnsExceeded",
    "MessageOutputItem",
    "Model",
    "ModelBehaviorError",
    "ModelInputData",
    "ModelProvider",
    "ModelRefusalError",
    "ModelResponse",
    "ModelRetrySettings",
    "ModelSettings",
    "ModelTracing",
    "NotFoundError",
    "OutputGuardrail",
    "OutputGuardrailResult",
    "OutputGuardrailTripwireTriggered",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponsesStreamEvent",
    "ReasoningItem",
    "RunConfig",
    "RunContextWrapper",
    "RunErrorData",
    "RunErrorDetails",
    "RunErrorHandlerInput",
    "RunErrorHandlerResult",
    "RunHooks",
    "RunItem",
    "RunItemStreamEvent",
    "RunResult",
    "RunResultStreaming",
    "RunState",
    "Runner",
    "StopAtTools",
    "StreamEvent",
    "TResponseInputItem",
    "Tool",
    "ToolApprovalItem",
    "ToolCallItem",
    "ToolCallOutputItem",
    "ToolContext",
    "ToolGuardrailFunctionOutput",
    "ToolInputGuardrail",
    "ToolInputGuardrailData",
    "ToolInputGuardrailTripwireTriggered",
    "ToolOutputFileContent",
    "ToolOutputGuardrail",
    "ToolOutputGuardrailData",
    "ToolOutputGuardrailTripwireTriggered",
    "ToolOutputImage",
    "ToolOutputText",
    "ToolTimeoutError",
    "ToolsToFinalOutputResult",
    "UnprocessableEntityError",
    "Usage",
    "UserError",
    "WebSearchTool",
    "__version__",
    "default_tool_error_function",
    "function_tool",
    "handoff",
    "input_guardrail",
    "output_guardrail",
    "run_sync",
    "set_model_price",
    "tool_input_guardrail",
    "tool_output_guardrail",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'agents_lite' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
