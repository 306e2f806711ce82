"""Chunking for the local corpus: its files, split into passages by markdown headings and
blank-line paragraphs (about MIN_CHARS..MAX_CHARS each, prefixed by their heading trail).

Kept apart from the provider so that checking a `local:DIR` spec (tools/search/base.py)
can list the folder's documents without loading FAISS or the embedding model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MAX_CHARS", "MIN_CHARS", "SUFFIXES", "chunk_text", "corpus_files"]

SUFFIXES = frozenset({".md", ".txt"})
MIN_CHARS = 80
MAX_CHARS = 600

# -------------------------------------------------------------------- chunking

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+")


def _sections(text: str, markdown: bool) -> list[tuple[str, list[str]]]:
    """(heading trail, paragraphs) per section; headings only count in markdown files."""
    sections: list[tuple[str, list[str]]] = []
    trail: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    lines: list[str] = []
    in_fence = False

    def end_paragraph() -> None:
        if lines:
            paragraphs.append(" ".join(lines))
            lines.clear()

    def end_section() -> None:
        end_paragraph()
        if paragraphs:
            sections.append((" / ".join(title for _, title in trail)[:200], list(paragraphs)))
            paragraphs.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if markdown and line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        heading = _HEADING.match(line) if markdown and not in_fence else None
        if heading:
            end_section()
            level = len(heading.group(1))
            trail = [entry for entry in trail if entry[0] < level]
            if heading.group(2):
                trail.append((level, heading.group(2)))
        elif not line and not in_fence:
            end_paragraph()
        elif line:
            lines.append(line)
    end_section()
    return sections


def _split_long(paragraph: str, budget: int) -> list[str]:
    """Split a paragraph longer than `budget` at sentence ends (at spaces if it must)."""
    if len(paragraph) <= budget:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > budget:  # one sentence too long: cut at the last space
            cut = sentence.rfind(" ", 0, budget)
            cut = cut if cut > budget // 2 else budget
            head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > budget:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def chunk_text(text: str, markdown: bool = True) -> list[str]:
    """Passages of about MIN_CHARS..MAX_CHARS, each prefixed by its heading trail."""
    chunks: list[str] = []
    for heading, paragraphs in _sections(text, markdown):
        budget = max(MAX_CHARS - len(heading) - 1, 200) if heading else MAX_CHARS
        pieces = [piece for para in paragraphs for piece in _split_long(para, budget)]
        bodies: list[str] = []
        for piece in pieces:
            if (
                bodies
                and (len(bodies[-1]) < MIN_CHARS or len(piece) < MIN_CHARS)
                and len(bodies[-1]) + 1 + len(piece) <= budget
            ):
                bodies[-1] = f"{bodies[-1]}\n{piece}"
            else:
                bodies.append(piece)
        chunks.extend(f"{heading}\n{body}" if heading else body for body in bodies)
    return chunks


# -------------------------------------------------------------------- files


def corpus_files(root: Path) -> Iterator[Path]:
    """The corpus's .md / .txt files, hidden folders and files skipped, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                path = Path(dirpath) / name
                if path.is_file():
                    yield path
