"""The planner's prompts and the shapes of its answers.

Worked examples are about subjects of their own, never taken from an evaluation set. The
tool catalogue comes from the tool registry, so a new tool is offered without editing here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nodes.state import Kind, Panel
from tools.compute.registry import TOOLS

Position = Literal[
    "left",
    "center",
    "right",
    "top",
    "bottom",
    "top-left",
    "top-right",
    "bottom-left",
    "bottom-right",
    "background",
]
TOOL_NAMES = ["none", *TOOLS]


class DraftGap(BaseModel):
    question: str = Field(max_length=100)
    kind: Kind
    best_guess: str = Field(max_length=60)
    tool: str = Field(default="none", json_schema_extra={"enum": list[Any](TOOL_NAMES)})

    @field_validator("tool")
    @classmethod
    def known_tool(cls, value: str) -> str:
        return value if value in TOOLS else "none"


class DraftObject(BaseModel):
    name: str = Field(max_length=30)
    position: Position
    size: Literal["small", "medium", "large"]


def _lists_required(schema: dict[str, Any]) -> None:
    """The model is asked for `described` and `names` (the grammar requires them); a plan
    written without them (a fallback, an older script) still validates."""
    schema["required"] = list(dict.fromkeys([*schema.get("required", []), *LISTED]))


LISTED = ("described", "names")


class PlanDraft(BaseModel):
    model_config = ConfigDict(json_schema_extra=_lists_required)

    subject: str = Field(max_length=80)
    described: list[str] = Field(default_factory=list, max_length=3)
    names: list[str] = Field(default_factory=list, max_length=4)
    gaps: list[DraftGap] = Field(max_length=4)
    objects: list[DraftObject] = Field(min_length=1, max_length=4)
    setting: str = Field(max_length=50)
    style: str = Field(max_length=30)
    palette: list[str] = Field(max_length=3)
    text: str = Field(max_length=60)
    checklist: list[str] = Field(min_length=3, max_length=5)
    n_images: int = Field(ge=1, le=4)


def tool_catalogue() -> str:
    return "\n".join(f"- {spec.name}: {spec.purpose}" for spec in TOOLS.values())


SYSTEM = (
    """You plan images. Read the request and find what it leaves unsaid.
A gap is a fact the image needs that the request does not state, asked as one short question.
Gap kinds: commonsense (knowledge, logic, science, what a description refers to, what a
situation results in), precise_fact (exact names, numbers, dates), dynamic_fact (news,
weather, prices, results, anything that changes), personal (about the user: "my", "usual",
"last time"), reference (what a specific real thing looks like), ambiguous (only the user
can say). When a calculator below computes the answer, set tool to its name, else "none":
"""
    + tool_catalogue()
    + """
described: the phrases of the request that pick a thing out by a property instead of
naming it, copied word for word; [] when the request names everything it shows.
names: the proper names in the request (people, works, products, companies, events,
places) that the image depends on and the request does not describe; [] when none.
Never ask about details the request already states. No gaps when nothing is missing.
When the request describes a thing instead of naming it, ask what it is.
When the request sets up a situation, ask what the image must show as its result.
When earlier turns are given, "same", "again" and "as before" refer to them.
subject names the main thing to show, as specifically as you can.
objects are what to draw, with a position and size. text is the exact text to write in the
image ("" if none). checklist: 3 to 5 short yes/no checks of what the image must show,
keeping every count, position, colour and exclusion the request states.

Examples:
Request: A sticker of the fruit that guacamole is made from, cut in half
{"subject":"a halved avocado","described":["the fruit that guacamole is made from"],"names":[],"gaps":[{"question":"Which fruit is guacamole made from?","kind":"commonsense","best_guess":"avocado","tool":"none"}],"objects":[{"name":"avocado half","position":"center","size":"large"}],"setting":"plain white background","style":"die-cut sticker","palette":["green","brown"],"text":"","checklist":["An avocado is the main subject","The avocado is cut in half","The pit is visible"],"n_images":1}

Request: Tomorrow's tide times for Whitby on a chalkboard
{"subject":"Whitby tide times","described":[],"names":["Whitby"],"gaps":[{"question":"What are tomorrow's tide times in Whitby?","kind":"dynamic_fact","best_guess":"high tide 06:10 and 18:35","tool":"none"}],"objects":[{"name":"chalkboard","position":"center","size":"large"}],"setting":"harbour wall","style":"chalk lettering","palette":["black","white"],"text":"Whitby tides tomorrow","checklist":["A chalkboard shows tide times","The text \\"Whitby tides tomorrow\\" is visible","A harbour is in the background"],"n_images":1}

Request: My cat asleep on the windowsill, drawn the way I usually draw
{"subject":"the user's cat asleep on a windowsill","described":[],"names":[],"gaps":[{"question":"What does the user's cat look like?","kind":"personal","best_guess":"a grey tabby cat","tool":"none"},{"question":"What is the user's usual drawing style?","kind":"personal","best_guess":"ink sketch","tool":"none"}],"objects":[{"name":"cat","position":"center","size":"large"},{"name":"window","position":"background","size":"large"}],"setting":"sunny windowsill","style":"user's usual style","palette":["grey","yellow"],"text":"","checklist":["A cat is asleep","The cat lies on a windowsill","The cat matches the user's cat"],"n_images":1}

Request: A street market in Cairo when it is 6 am in Chicago
{"subject":"a Cairo street market","described":[],"names":["Cairo","Chicago"],"gaps":[{"question":"What local time is it in Cairo when it is 6 am in Chicago?","kind":"commonsense","best_guess":"early afternoon","tool":"timezone"}],"objects":[{"name":"market stalls","position":"bottom","size":"large"}],"setting":"Cairo street","style":"photo","palette":["ochre","blue"],"text":"","checklist":["A street market is shown","The light matches the local time in Cairo","The scene is in Cairo"],"n_images":1}

Request: Fan art of Captain Orla Venn from the game Saltwind Drift, at the ship's wheel
{"subject":"Captain Orla Venn at a ship's wheel","described":[],"names":["Orla Venn","Saltwind Drift"],"gaps":[{"question":"What does Captain Orla Venn from Saltwind Drift look like?","kind":"reference","best_guess":"a sea captain in a long blue coat","tool":"none"}],"objects":[{"name":"Orla Venn","position":"center","size":"large"},{"name":"ship's wheel","position":"bottom","size":"medium"}],"setting":"ship deck","style":"digital fan art","palette":["navy","gold"],"text":"","checklist":["Captain Orla Venn is shown","The captain stands at a ship's wheel","The scene is on a ship's deck"],"n_images":1}

Request: A jar of honey left in a cold cupboard all winter
{"subject":"a jar of crystallised honey","described":[],"names":[],"gaps":[{"question":"What happens to honey kept cold for months?","kind":"commonsense","best_guess":"it crystallises and turns cloudy","tool":"none"}],"objects":[{"name":"honey jar","position":"center","size":"large"}],"setting":"cupboard shelf","style":"photo","palette":["amber","white"],"text":"","checklist":["A jar of honey is shown","The honey looks crystallised and cloudy","The jar is on a shelf"],"n_images":1}

Request: Two red kites and four blue kites over a beach, nothing else in the sky
{"subject":"six kites over a beach","described":[],"names":[],"gaps":[],"objects":[{"name":"red kite","position":"top-left","size":"small"},{"name":"blue kite","position":"top-right","size":"small"},{"name":"beach","position":"bottom","size":"large"}],"setting":"beach","style":"photo","palette":["red","blue"],"text":"","checklist":["Exactly two red kites","Exactly four blue kites","Nothing else is in the sky"],"n_images":1}
"""
)


class PanelDraft(BaseModel):
    characters: str = Field(max_length=120)
    panels: list[Panel] = Field(min_length=2, max_length=6)


PANEL_SYSTEM = """You split an image request into panels: a comic strip, the steps of a
process, before and after, or several separate images. Give the panels in order, each with a
short title and what it shows. If the same character or object appears in several panels,
describe it once in characters (looks, colours, clothes) so every panel draws it the same
way; "" when nothing recurs. Use the number of panels the request asks for.

Examples:
Request: A three-panel comic strip of a fox who loses his scarf and finds it
{"characters":"a small red fox with a white-tipped tail wearing a blue striped scarf","panels":[{"title":"Windy day","scene":"the fox walks through a snowy forest as the wind blows"},{"title":"Scarf gone","scene":"the fox looks up as his scarf flies into a tree"},{"title":"Found it","scene":"the fox climbs the tree and wraps the scarf around his neck"}]}

Request: Before and after pictures of a garden cleaned up
{"characters":"","panels":[{"title":"Before","scene":"an overgrown garden with weeds, litter and a broken fence"},{"title":"After","scene":"a tidy garden with mown grass, flower beds and a repaired fence"}]}
"""
