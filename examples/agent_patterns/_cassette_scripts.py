"""Scripted models for recording the cassettes of examples/agent_patterns (see
../_record_cassettes.py)."""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn

_TRANSLATIONS = {
    "Spanish": "Hola, ¿cómo estás?",
    "French": "Bonjour, comment allez-vous ?",
    "Italian": "Ciao, come stai?",
}


def agents_as_tools(turn: Turn) -> Any:
    for language, text in _TRANSLATIONS.items():
        if f"to {language}" in turn.instructions:
            return text  # a translator agent, called as a tool
    if turn.offers("translate_to_spanish"):
        if not turn.outputs():
            return [turn.call("translate_to_spanish", {"input": "Hello, how are you?"}),
                    turn.call("translate_to_french", {"input": "Hello, how are you?"})]
        spanish = turn.outputs("translate_to_spanish")[0]
        french = turn.outputs("translate_to_french")[0]
        return f"Spanish: {spanish}\nFrench: {french}"
    # The synthesizer sees the whole conversation, tool outputs included.
    outputs = turn.outputs()
    return f"In Spanish: '{outputs[0]}' In French: '{outputs[1]}'"


_OUTLINE = ("1. Mara keeps the last lighthouse on Europa, guiding ice freighters. 2. A freighter "
            "goes silent in a storm of ice. 3. She rebuilds the beacon from the station's "
            "reactor. 4. The freighter lands, carrying her estranged brother.")


def deterministic(turn: Turn) -> Any:
    if "outline based on" in turn.instructions:
        return _OUTLINE
    if "judge the quality" in turn.instructions:
        return [turn.json({"good_quality": True, "is_scifi": True})]
    return ("The lighthouse keeper on Europa had not spoken to anyone in eleven months when the "
            "freighter Halcyon went dark. Mara tore the reactor's shielding open, and the beacon "
            "burned brighter than Jupiter. At dawn the Halcyon settled on the ice, and her "
            "brother stepped out.")


def forcing_tool_use(turn: Turn) -> Any:
    if not turn.outputs("get_weather"):
        assert turn.body.get("tool_choice") == "required"
        return [turn.call("get_weather", {"city": "Tokyo"})]
    # After the tool ran, the forced choice was reset: the model may answer.
    assert "tool_choice" not in turn.body
    return "The weather in Tokyo is sunny with wind, between 14 and 20C."


def human_in_the_loop(turn: Turn) -> Any:
    if not turn.calls():
        return [turn.call("cancel_order", {"order_id": "A-17"}),
                turn.call("cancel_order", {"order_id": "B-42"})]
    outputs = turn.outputs("cancel_order")
    assert len(outputs) == 2 and "A-17" in outputs[0], outputs
    return (f"Order A-17 is cancelled. I did not cancel B-42: the request was rejected "
            f"({outputs[1]}).")


def human_in_the_loop_state_file(turn: Turn) -> Any:
    if not turn.calls():
        return [turn.call("refund_payment", {"payment_id": "pay_118", "amount_eur": 49.9})]
    return "Refund of 49.90 EUR for payment pay_118 is done."


def input_guardrails(turn: Turn) -> Any:
    if "math homework" in turn.instructions:
        homework = "solve for x" in turn.user_text
        reasoning = ("The user wants an equation solved for them." if homework
                     else "A geography question, not homework.")
        return [turn.json({"reasoning": reasoning, "is_math_homework": homework})]
    return "The capital of California is Sacramento."


def output_guardrails(turn: Turn) -> Any:
    if "650-123-4567" in turn.user_text:
        return [turn.json({
            "reasoning": "The area code of 650-123-4567 belongs to the San Francisco Peninsula.",
            "response": "With a 650 number you likely live near Palo Alto or San Mateo.",
            "user_name": "unknown"})]
    return [turn.json({"reasoning": "A simple fact.",
                       "response": "The capital of California is Sacramento.",
                       "user_name": "unknown"})]


_ITALIAN = {
    0.3: "Il lettore legge il libro lentamente, assaporando ogni pagina.",
    0.7: "Il lettore legge lentamente il libro, gustandone ogni pagina.",
    1.1: "Il lettore sfoglia piano il libro, assaporandone ogni singola pagina.",
}


def parallelization(turn: Turn) -> Any:
    if "translate" in turn.instructions:
        return _ITALIAN[turn.body["temperature"]]
    return _ITALIAN[0.3]


def routing(turn: Turn) -> Any:
    if turn.offers("transfer_to_french_agent"):
        return [turn.call("transfer_to_french_agent")]
    if "livre" in turn.user_text:
        return "Je te conseille « Le Petit Prince » de Saint-Exupéry : court, tendre et profond."
    return "Bonjour ! Je vais bien, merci. Et toi, comment vas-tu ?"


RECORDINGS = [
    Recording("agents_as_tools.py", agents_as_tools, concurrent=True),
    Recording("deterministic.py", deterministic),
    Recording("forcing_tool_use.py", forcing_tool_use),
    Recording("human_in_the_loop.py", human_in_the_loop, stdin="y\nn\n"),
    Recording("human_in_the_loop_state_file.py", human_in_the_loop_state_file),
    Recording("input_guardrails.py", input_guardrails),
    Recording("output_guardrails.py", output_guardrails),
    Recording("parallelization.py", parallelization, concurrent=True),
    Recording("routing.py", routing),
]
