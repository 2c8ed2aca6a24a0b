"""Scripted models for recording the cassettes of examples/basic (see ../_record_cassettes.py).

Each function plays the model for one example: it reads the request the way a model would
(instructions, tools offered, tool outputs so far, the user's message) and answers.
"""

from __future__ import annotations

from typing import Any

from _scripting import Recording, Turn

from agents_lite.testing.scripted import usage_dict


def hello_world(turn: Turn) -> str:
    return ("Code calls itself, and\n"
            "each call a smaller echo,\n"
            "until the base case.")


def dynamic_system_prompt(turn: Turn) -> str:
    if "pirate" in turn.instructions:
        return ("Arr, Grace! Why couldn't the pirate play cards? Because he was sittin' on the "
                "deck!")
    if "robot" in turn.instructions:
        return ("BEEP BOOP, Linus. Why did the robot go on vacation? To recharge its batteries. "
                "Beep boop.")
    return ("Ada asks for a joke:\n"
            "a pun about the ocean,\n"
            "it was too shallow.")


def lifecycle(turn: Turn) -> Any:
    if turn.offers("get_order_total"):
        if not turn.outputs("get_order_total"):
            return [turn.call("get_order_total", {"order_id": "A-17"})]
        return [turn.text("Order A-17 comes to 120.00 EUR. Passing you to the Discount Desk."),
                turn.call("transfer_to_discount_desk", {})]
    if not turn.outputs("apply_discount"):
        total = float(turn.outputs("get_order_total")[-1])
        return [turn.call("apply_discount", {"amount": total, "percent": 10})]
    return "The order total after the discount is 108.00 EUR."


def stream_text(turn: Turn) -> str:
    return ("1. Why did the scarecrow win an award? He was outstanding in his field.\n"
            "2. I told my computer a joke about UDP. I'm not sure it got it.\n"
            "3. Parallel lines have so much in common. It's a shame they'll never meet.")


def stream_items(turn: Turn) -> Any:
    if not turn.outputs("how_many_jokes"):
        return [turn.call("how_many_jokes")]
    count = int(turn.outputs("how_many_jokes")[-1])
    jokes = ["Why don't skeletons fight? They don't have the guts.",
             "What do you call fake spaghetti? An impasta.",
             "Why did the bicycle fall over? It was two tired."]
    return "Here are some jokes:\n" + "\n".join(jokes[:count])


def stream_function_call_args(turn: Turn) -> Any:
    if not turn.outputs():
        return [
            turn.call("write_file", {"filename": "main.py",
                                     "content": "def main():\n    print('hello')\n\n\n"
                                                "if __name__ == '__main__':\n    main()\n"}),
            turn.call("create_config", {"project_name": "my-app", "version": "1.0.0",
                                        "dependencies": ["fastapi", "uvicorn"]}),
        ]
    return "Both files written: main.py and the my-app 1.0.0 configuration."


def usage_tracking(turn: Turn) -> Any:
    if turn.user_text == "And in Osaka?":
        return turn.reply([turn.text("It is cloudy in Osaka, around 18 C.")],
                          usage=usage_dict(1820, 46))
    if not turn.outputs("get_weather"):
        return turn.reply([turn.call("get_weather", {"city": "Tokyo"})],
                          usage=usage_dict(1204, 18))
    return turn.reply([turn.text("It's sunny and 21 C in Tokyo.")],
                      usage=usage_dict(1262, 14, cached_tokens=1024))


def tools(turn: Turn) -> Any:
    if not turn.outputs("get_weather"):
        return [turn.call("get_weather", {"city": "Tokyo"})]
    return "The weather in Tokyo is sunny with some wind, between 14 and 20 C."


def image_inputs(turn: Turn) -> str:
    image = turn.user_images[0]["image_url"]
    if image.startswith("data:image/png"):
        return "It shows a yellow sun on a plain blue sky, drawn in a few pixels."
    return "A black-and-white striped lighthouse stands on a sandy beach under a blue sky."


def file_inputs(turn: Turn) -> str:
    part = turn.user_images[0]
    if "file_data" in part:
        return "The invoice total is 129.00 EUR, due on 2026-02-01."
    return "The paper is \"Attention Is All You Need\" (Vaswani et al., 2017)."


def previous_response_id(turn: Turn) -> str:
    previous = turn.body.get("previous_response_id")
    if previous is None:
        return "The largest country in South America is Brazil."
    # The follow-ups carry only the new question: the server holds the rest.
    assert len(turn.items) == 1, turn.items
    if "capital" in turn.user_text:
        return "The capital of Brazil is Brasilia."
    return "About 212 million people live in Brazil."


def non_strict_output_type(turn: Turn) -> Any:
    return [turn.json({"jokes": {
        "1": "Why did the math book look sad? It had too many problems.",
        "2": "I'm reading a book about anti-gravity. It's impossible to put down.",
        "3": "Why don't eggs tell jokes? They'd crack each other up.",
    }})]


def retries(turn: Turn) -> Any:
    # The same request arrives again after each failure: 429, then 503, then an answer; the
    # fourth identical request (the impatient agent, no retries) is rate limited once more.
    if turn.occurrence == 0:
        return turn.fault(status=429, retry_after_ms=300, message="Rate limit reached for requests")
    if turn.occurrence == 1:
        return turn.fault(status=503, message="The server is overloaded, please retry")
    if turn.occurrence == 2:
        return "Tides are caused by the Moon's gravity pulling the oceans, with help from the Sun."
    return turn.fault(status=429, retry_after_ms=300, message="Rate limit reached for requests")


def prompt_template(turn: Turn) -> str:
    style = turn.body["prompt"]["variables"]["poem_style"]
    if style == "limerick":
        return ("A limerick:\nThe sea had a habit of waving,\nat sailors whose ships needed "
                "saving;\nit rolled and it roared,\nthen it yawned and it snored,\nwhich left all "
                "the seagulls misbehaving.")
    return ("A sonnet, in brief:\nThe sea keeps time with neither clock nor bell,\nits silver "
            "hours rise and fall on sand...")


def structured_output(turn: Turn) -> Any:
    schema = turn.output_schema
    assert schema is not None and "participants" in schema["properties"]
    return [turn.json({"name": "Science fair", "date": "2026-03-06",
                       "participants": ["Alice", "Bob"]})]


RECORDINGS = [
    Recording("hello_world.py", hello_world),
    Recording("dynamic_system_prompt.py", dynamic_system_prompt),
    Recording("lifecycle_example.py", lifecycle),
    Recording("stream_text.py", stream_text),
    Recording("stream_items.py", stream_items),
    Recording("stream_function_call_args.py", stream_function_call_args),
    Recording("usage_tracking.py", usage_tracking),
    Recording("tools.py", tools),
    Recording("image_inputs.py", image_inputs),
    Recording("file_inputs.py", file_inputs),
    Recording("previous_response_id.py", previous_response_id),
    Recording("non_strict_output_type.py", non_strict_output_type),
    Recording("retries.py", retries),
    Recording("prompt_template.py", prompt_template),
    Recording("structured_output.py", structured_output),
]
