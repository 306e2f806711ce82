"""The figures a data poster is about, written onto it.

"This week's forecast for our city as a poster", "a chart poster of yesterday's closing
price of QLMX": the point of such an image is the number, and the number is only known
once search has answered (the planner writes the text to draw before that). So when the
request asks for a display (poster, chart, banner, headline, graphic, sign) of a measured
value (a price, a forecast, the weather, a temperature, a score), the figures the cited
search results give for it are added to the text the renderer draws: "48.20 +3.1%",
"-4 °C / -9 °C".
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DISPLAY = re.compile(
    r"\b(poster|chart|banner|headline|graphic|infographic|sign|board|billboard|display|"
    r"card|flyer|screen)\b",
    re.I,
)
_PRICE = re.compile(
    r"\b(price|prices|closing|close|closed|share|shares|stock|ticker|quote|value)\b", re.I
)
_WEATHER = re.compile(r"\b(weather|forecast|temperature|temperatures)\b", re.I)
_SCORE = re.compile(r"\b(score|result|final score)\b", re.I)

_NUMBER = r"[-−+]?\d+(?:[.,]\d+)?"
_TEMPERATURE = re.compile(rf"(?<![\w.]){_NUMBER} ?°\s?[CF]\b")
_PRICE_FIGURE = re.compile(r"(?<![\w.%-])[$€£]?\d+\.\d{2}(?![\d%]|\s?(?:percent|%))")
_CHANGE = re.compile(rf"\b(up|down|rose|fell|gained|lost)\s+({_NUMBER})\s?(?:percent|%)", re.I)
_SCORE_FIGURE = re.compile(r"(?<![\w.])\d{1,3}\s?[-–:]\s?\d{1,3}(?![\w.])")


def _change(text: str) -> str:
    match = _CHANGE.search(text)
    if not match:
        return ""
    sign = "+" if match.group(1).lower() in ("up", "rose", "gained") else "-"
    return f"{sign}{match.group(2).lstrip('+-−')}%"


def data_figures(request: str, sources: Iterable[str]) -> list[str]:
    """The figures to draw for a data display request, from the search results' words."""
    if not _DISPLAY.search(request):
        return []
    text = " ".join(sources)
    if _WEATHER.search(request):
        temps = [" ".join(t.split()) for t in _TEMPERATURE.findall(text)]
        return list(dict.fromkeys(temps))[:2]
    if _PRICE.search(request):
        prices = _PRICE_FIGURE.findall(text)
        if not prices:
            return []
        change = _change(text)
        return [prices[0]] + ([change] if change else [])
    if _SCORE.search(request):
        return _SCORE_FIGURE.findall(text)[:1]
    return []


def with_figures(text: str, figures: list[str]) -> str:
    """The text to draw with the figures it does not already hold."""
    missing = [f for f in figures if f.replace(" ", "") not in text.replace(" ", "")]
    if not missing:
        return text
    joined = " ".join(missing) if len(missing) != 2 or "%" in missing[1] else " / ".join(missing)
    return f"{text} {joined}".strip() if text else joined


def data_trend(request: str, sources: Iterable[str]) -> str:
    """ "an upward trend" or "a downward trend" for a display of a price whose change the
    search results give ("up 3.1 percent"); "" otherwise. A chart of a price that rose
    draws a rising line, whatever figures are written on it."""
    if not (_DISPLAY.search(request) and _PRICE.search(request)):
        return ""
    change = _change(" ".join(sources))
    if not change:
        return ""
    return "an upward trend" if change.startswith("+") else "a downward trend"


def with_trend(prompt: str, trend: str) -> tuple[str, str]:
    """The prompt with the trend line added when it does not say it; and what was added."""
    if not trend or trend.split()[1] in prompt.lower():
        return prompt, ""
    return f"{prompt.rstrip(' .')}, a chart line showing {trend}", trend
