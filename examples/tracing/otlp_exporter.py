"""Send spans to an OpenTelemetry collector over OTLP/HTTP (JSON), with no OpenTelemetry
package installed.

Point it at your collector (or Jaeger, Tempo, Honeycomb, ...) with the standard variables,
e.g. `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318`. Without one, this example starts a
stand-in collector on 127.0.0.1 and prints the spans it receives.
"""

# expect: collector received 7 spans for service 'otlp-example'
# expect: agent Research agent
# expect: function search_papers  (gen_ai.tool.name=search_papers)
# expect: Dapper (2010)

import json
import os
from typing import Any

from agents_lite import Agent, Runner, function_tool
from agents_lite.testing import LocalOpenAIServer
from agents_lite.testing.example_support import setup_example
from agents_lite.tracing import (
    BatchTraceProcessor,
    OTLPSpanExporter,
    add_trace_processor,
    flush_traces,
    set_tracing_disabled,
)

setup_example(__file__)
# Tracing is on by default; this also overrides OPENAI_AGENTS_DISABLE_TRACING=1 where it is set.
set_tracing_disabled(False)


@function_tool
def search_papers(query: str) -> str:
    """Search a small paper index."""
    return json.dumps(["Dapper, a Large-Scale Distributed Systems Tracing Infrastructure (2010)"])


def stand_in_collector() -> tuple[LocalOpenAIServer, list[dict[str, Any]]]:
    received: list[dict[str, Any]] = []
    server = LocalOpenAIServer().start()

    def collect(request: Any) -> dict[str, Any]:
        received.append(request.body)
        return {"partialSuccess": {}}

    server.add_route("POST", "/v1/traces", collect)
    return server, received


def main() -> None:
    configured = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    collector, received = (None, []) if configured else stand_in_collector()
    endpoint = None if collector is None else collector.url + "/v1/traces"
    add_trace_processor(BatchTraceProcessor(OTLPSpanExporter(endpoint, service_name="otlp-example")))

    agent = Agent(name="Research agent", instructions="Search, then answer in two sentences.",
                  tools=[search_papers])
    result = Runner.run_sync(agent, "Which papers started distributed tracing?")
    print(result.final_output)
    flush_traces()

    if collector is None:
        print("spans sent to", os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
        return
    for body in received:
        resource = body["resourceSpans"][0]
        service = resource["resource"]["attributes"][0]["value"]["stringValue"]
        spans = resource["scopeSpans"][0]["spans"]
        print(f"collector received {len(spans)} spans for service {service!r}")
        for span in spans:
            attributes = {a["key"]: a["value"] for a in span["attributes"]}
            tool = attributes.get("gen_ai.tool.name", {}).get("stringValue")
            print(f"  {span['name']}" + (f"  (gen_ai.tool.name={tool})" if tool else ""))
    collector.stop()


if __name__ == "__main__":
    main()
