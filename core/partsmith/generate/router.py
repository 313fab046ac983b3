"""Which route a prompt takes, and which examples the model sees.

The prompt is embedded once and compared with every kit family (its summary, keywords and example
prompts), with the example part programs (`partsmith.program.examples`) and with the code
examples shipped in `partsmith.generate.examples`. A model that cannot write code always takes the
structured route: it writes a part program. A model that can is offered a program too when the
prompt is close to what programs say (one kit family, or an example program, matches closely: the
program then gets sizes exactly right in few tokens), and otherwise writes code, with the nearest
code examples in its prompt; the pipeline falls back to code when its program does not work out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from partsmith.generate.examples import CodeExample, code_examples
from partsmith.kit.registry import FAMILIES
from partsmith.model.embed import Embedder, Vectors, get_embedder
from partsmith.program.examples import ProgramExample
from partsmith.program.examples import examples as program_examples

# Cosine similarity at or above which one family is taken to describe the whole part (for a model
# that could also write code). Calibrated on one-line kit prompts ("M6 hex nut" 0.82, "a pipe 50 mm
# long..." 0.76) against the multi-step CadQueryEval prompts (0.40-0.73: a plate *with a
# counterbore* is not the kit's plate) and out-of-kit parts (a hinge 0.52, a phone stand 0.38).
STRUCTURED_AT = 0.75
# Cosine similarity to the nearest example program at or above which a code-writing model is
# offered a program: the same bar as a family, for the same reason.
PROGRAM_AT = 0.75


@dataclass(frozen=True)
class Decision:
    route: str
    family: str
    score: float
    reason: str


class Router:
    """Embeds the kit and the example library once; then each prompt costs one embedding."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder or get_embedder()

    @cached_property
    def _family_texts(self) -> tuple[list[str], Vectors]:
        owners, texts = [], []
        for entry in FAMILIES.values():
            for text in (entry.summary, *entry.keywords, *(prompt for prompt, _ in entry.examples)):
                owners.append(entry.name)
                texts.append(text)
        return owners, self.embedder.encode(texts)

    @cached_property
    def _program_examples(self) -> tuple[list[ProgramExample], Vectors]:
        examples = program_examples()
        return examples, self.embedder.encode([e.prompt for e in examples])

    @cached_property
    def _code_examples(self) -> tuple[list[CodeExample], Vectors]:
        examples = code_examples()
        return examples, self.embedder.encode([e.prompt for e in examples])

    def warm(self) -> None:
        """Embed everything now rather than on the first prompt."""
        _ = self._family_texts, self._program_examples, self._code_examples

    def families(self, prompt: str | Vectors) -> list[tuple[str, float]]:
        """Every family with its best similarity to the prompt, best first."""
        vector = self._vector(prompt)
        owners, vectors = self._family_texts
        scores: dict[str, float] = {}
        for owner, score in zip(owners, vectors @ vector, strict=True):
            scores[owner] = max(scores.get(owner, -1.0), float(score))
        return sorted(scores.items(), key=lambda item: -item[1])

    def decide(self, prompt: str | Vectors, writes_code: bool) -> Decision:
        vector = self._vector(prompt)
        family, score = self.families(vector)[0]
        if not writes_code:
            return Decision("structured", family, score, "this model cannot write code")
        if score >= STRUCTURED_AT:
            return Decision("structured", family, score, f"the prompt matches the kit's {family}")
        examples, vectors = self._program_examples
        scores = vectors @ vector
        best = int(np.argmax(scores))
        if float(scores[best]) >= PROGRAM_AT:
            return Decision("structured", family, float(scores[best]),
                            f"a part program says it (close to: {examples[best].prompt})")
        return Decision("code", family, score, "neither a kit family nor a part program matches closely")

    def program_examples(self, prompt: str | Vectors, count: int = 2) -> list[ProgramExample]:
        """The example programs nearest the prompt, for the structured route's prompt."""
        examples, vectors = self._program_examples
        return [examples[i] for i in _top(vectors @ self._vector(prompt), count)]

    def code_examples(self, prompt: str | Vectors, count: int = 2) -> list[CodeExample]:
        examples, vectors = self._code_examples
        return [examples[i] for i in _top(vectors @ self._vector(prompt), count)]

    def _vector(self, prompt: str | Vectors) -> Vectors:
        return self.embedder.encode_one(prompt) if isinstance(prompt, str) else prompt


def _top(scores: Vectors, count: int) -> list[int]:
    return [int(i) for i in np.argsort(-scores)[:count]]
