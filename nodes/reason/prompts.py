"""The reasoner's prompts: the answer call, the independent sample, a tool's input call.

Worked examples are about subjects of their own, never taken from an evaluation set.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from tools.compute.spec import ToolSpec


class Reasoned(BaseModel):
    question: str = Field(max_length=140, description="the question, restated to stand alone")
    answer: str = Field(max_length=80, description="the specific thing or fact, named exactly")
    visible: str = Field(max_length=120, description="what the image must show because of it")


SYSTEM = """You answer one question that an image request leaves implicit.
First restate the question so it stands alone, keeping every clue from the request
(place, culture, time, shape, use). Then name the specific thing: the exact species,
object, dish, building, person or state, never a category. Then say in a few words what
the image must show.

Examples:
Request: A small bowl of the spice that gives paella its golden colour
Question: Which spice is it?
{"question":"Which spice gives Spanish paella its golden-yellow colour?","answer":"saffron","visible":"a small bowl of thin red-orange saffron threads"}

Request: An iron nail left in a glass of salty water for a month
Question: What happens to the nail?
{"question":"What happens to an iron nail kept in salty water for a month?","answer":"the nail rusts","visible":"a nail covered in flaky orange-brown rust, the water tinted brown"}

Request: The instrument a Scottish piper plays at a Highland parade
Question: What exactly does 'The instrument a Scottish piper plays at a Highland parade' refer to? Name it specifically.
{"question":"Which instrument does a Scottish piper play at a Highland parade?","answer":"Great Highland bagpipes","visible":"a tartan bag with three drones over the piper's shoulder and a chanter"}
"""

# The independent sample: no worked examples (so it cannot copy their pattern), the
# question put the other way round (the thing's name, not the question's wording).
SAMPLE_SYSTEM = """You check an answer by finding it again on your own.
Read the image request and the question, work out which specific thing they point to, and
give its usual name in a few words: the exact species, object, dish, place, person or
result, never a category and never the request's own description of it. Fill question
with the question as you understood it and visible with what the image must show.
"""

SAMPLE_TEMPERATURE = 0.7  # the second sample, taken when the planner gave no best guess
SAMPLE_SEED = 7  # a fixed seed: a run resumed after a question repeats its samples


def asked_another_way(request: str, question: str) -> str:
    return (
        f"Request: {request}\nAsked another way: if the image shows the answer to "
        f"{question!r}, what is the name of the thing it shows?"
    )


def tool_system(spec: ToolSpec) -> str:
    """The fixed prefix for one tool (identical across calls, so the server caches it)."""
    examples = "\n\n".join(f"Question: {e.question}\n{e.inputs}" for e in spec.examples)
    return (
        f"You fill in the inputs of a calculator that {spec.purpose}.\n"
        "Copy the numbers, places, names and dates from the request exactly as it writes "
        "them; use what you know only for facts the calculator needs that the request does "
        "not state (a place's time zone, an animal's usual weight, how many legs an insect "
        "has). Never compute the answer yourself: the calculator does.\n\nExamples:\n"
        + examples
        + "\n"
    )


def regrounding(error: str, filled: BaseModel) -> str:
    """The follow-up that asks for the inputs again, copied from the request's words."""
    return (
        f"Your inputs were {filled.model_dump_json()}. Rejected: {error}. Write them again: "
        "copy every place, name and number exactly as the request writes it; put what you "
        "know yourself only in the other fields."
    )
