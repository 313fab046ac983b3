"""Prompt to part: route, model, sandbox, dimension check and repair. The only module that knows
all the others.

Two routes end in the same sandbox:
- structured: the model writes a part program (bodies and features, kit families among them) as
  grammar-bound JSON, compiled to a script (any model, including the embedded base model, which
  always takes this route);
- code: the model writes build123d code (which may use the kit), and errors go back to it.
Every attempt is kept; attempts are bounded in number and in time.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from partsmith import checks, family_route, structured
from partsmith.embed import Vectors
from partsmith.errors import InputError, PartsmithError, SandboxError, ScriptError
from partsmith.examples import CodeExample
from partsmith.llm.base import Backend, Cancelled, Completion, Request
from partsmith.llm.extract import extract_code
from partsmith.llm.prompts import repair_message, system_prompt
from partsmith.program import Program, dump, parse, prune
from partsmith.program import checks as program_checks
from partsmith.program.examples import ProgramExample
from partsmith.progress import Progress, ProgressCallback, check_prompt
from partsmith.router import Decision, Router
from partsmith.sandbox import JobResult, SandboxPool

# Features the engine may leave out of a program when no attempt built (the last resort).
LEAVE_OUT = 3


@dataclass
class Attempt:
    number: int
    route: str
    answer: str
    script: str
    error: dict[str, Any] | None
    problems: list[str]
    seconds: float
    tokens: int
    tokens_per_second: float
    program: dict[str, Any] | None = None  # the part program a structured answer filled


@dataclass
class Generation:
    """A made part, on its way to the history (which turns it into an `Entry`: the one record).

    `result.job_dir` holds the part's files until the history has its copies."""

    prompt: str
    route: str
    model: str
    script: str
    result: JobResult
    attempts: list[Attempt]
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)
    decision: Decision | None = None
    vector: Vectors | None = None  # the prompt's embedding, for the history
    family: str | None = None  # the kit family the structured route chose
    program: dict[str, Any] | None = None  # the part program the structured route filled


class GenerationFailed(PartsmithError):
    """No attempt produced a usable part; `attempts` says what each one did."""

    kind = "generation"

    def __init__(self, message: str, attempts: list[Attempt], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.attempts = attempts




@dataclass(frozen=True)
class Reference:
    """An earlier part: the starting point of a "like" request, or a few-shot example."""

    prompt: str
    script: str
    family: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    program: dict[str, Any] | None = None


# Given a prompt's embedding, successful earlier parts near it (from the history).
PastParts = Callable[[Vectors], list[Reference]]


class Generator:
    """Turns prompts into parts with one backend and one sandbox pool (both kept warm)."""

    def __init__(self, backend: Backend, pool: SandboxPool, *, router: Router | None = None,
                 past: PastParts | None = None, max_attempts: int = 3,
                 time_budget_s: float = 300.0) -> None:
        self.backend = backend
        self.pool = pool
        self.router = router or Router()
        self.past = past
        self.max_attempts = max_attempts
        self.time_budget_s = time_budget_s

    def warm(self) -> None:
        """Get everything ready for a fast first prompt: the router's embeddings, the sandbox's
        worker, and the model's KV cache holding the long fixed head of the prompt (for a model
        with the part-program adapter, which has no head, its grammar)."""
        self.router.warm()
        self.pool.warm()
        if self.backend.writes_code:
            request = Request(messages=[{"role": "system", "content": system_prompt()}], max_tokens=1)
        elif getattr(self.backend, "adapter", None) is not None:
            # The adapted model has no head to cache: ready its grammar and compute buffers instead.
            request = Request(prompt=structured.build_prompt("a 10 mm cube", adapted=True), max_tokens=1,
                              grammar=structured.gbnf())
        elif self._family_form_first():
            request = Request(prompt=family_route.head(), max_tokens=1)  # what its first attempt asks
        else:
            request = Request(prompt=structured.head(), max_tokens=1)
        self.backend.generate(request)

    def _family_form_first(self) -> bool:
        """A base model with no training picks one kit family best: its first answer is asked in
        the family form, and its repairs may write a whole program."""
        return not self.backend.writes_code and getattr(self.backend, "adapter", None) is None

    def generate(
        self, prompt: str, *, route: str | None = None,
        on_progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
        start: Reference | None = None, variant: int = 0,
    ) -> Generation:
        """Make a part. `start`: an earlier part to edit ("like"); `variant` > 0: another take on
        the same prompt (sampled, with its own seed). Job folders of failed and losing attempts
        are removed; the winner's stays for the caller to record."""
        text = check_prompt(prompt)
        report = on_progress or (lambda progress: None)
        started = time.perf_counter()
        report(Progress("retrieving"))
        vector = self.router.embedder.encode_one(text)
        decision = self.router.decide(vector, self.backend.writes_code)
        if route is not None:
            decision = Decision(route, decision.family, decision.score, "asked for")
        chosen = decision.route
        if chosen == "code" and not self.backend.writes_code:
            chosen = "structured"
        past = self.past(vector) if self.past is not None else []
        program_examples = _past_programs(past)[:1]
        program_examples += self.router.program_examples(vector, 2 - len(program_examples))
        kit_examples = [e for e in self.router.program_examples(vector, 64) if structured.is_kit_only(e)][:2]
        code_examples = [CodeExample("history", p.prompt, p.script) for p in past if not p.program][:1]
        code_examples += self.router.code_examples(vector, 2 - len(code_examples))
        ask = text
        if start is not None:
            # The model edits the earlier part: its script (code route) or its description.
            ask = f"{start.prompt}; changed: {text}"
            user = (f"Here is the script for: {start.prompt}\n```python\n{start.script.strip()}\n```\n"
                    f"Change it: {text}\nAnswer with the complete new script.")
        else:
            user = text
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system_prompt(code_examples)},
            {"role": "user", "content": user},
        ]
        attempts: list[Attempt] = []
        best: tuple[JobResult, Attempt] | None = None
        try:
            for number in range(1, self.max_attempts + 1):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if number > 1 and time.perf_counter() - started > self.time_budget_s:
                    break
                report(Progress("generating" if number == 1 else "repairing", number))
                rejected = None
                if attempts and attempts[-1].route == "structured":
                    previous = attempts[-1]
                    rejected = (previous.answer,
                                (previous.error or {}).get("message") or "; ".join(previous.problems))
                kit_only = number == 1 and self._family_form_first()
                completion, script, parse_error, program = self._ask(
                    chosen, ask, messages, kit_examples if kit_only else program_examples, number, variant,
                    report, cancel, None if kit_only else rejected, kit_only)
                if completion.finish == "cancelled":
                    raise Cancelled()
                attempt = Attempt(number, chosen, completion.text, script, None, [], completion.seconds,
                                  completion.tokens, completion.tokens_per_second,
                                  program.model_dump(mode="json") if program is not None else None)
                attempts.append(attempt)
                if parse_error is not None:
                    attempt.error = parse_error.to_dict()
                    messages += self._repair_turn(completion.text, parse_error)
                    chosen = self._fallback(chosen)
                    continue
                report(Progress("running", number, completion.tokens))
                job_dir = self.pool.new_job_dir()
                try:
                    result = self.pool.run(script, job_dir=job_dir)
                except SandboxError as exc:
                    _discard(job_dir)  # the error is in the attempt; its files are of no use
                    attempt.error = exc.to_dict()
                    messages += self._repair_turn(completion.text, exc)
                    chosen = self._fallback(chosen)
                    continue
                attempt.problems = checks.check(text, result.measurements)
                if program is not None:
                    attempt.problems += program_checks.check(program, result.measurements)
                if best is None or len(attempt.problems) < len(best[1].problems):
                    if best is not None:
                        _discard(best[0].job_dir)
                    best = (result, attempt)
                else:
                    _discard(result.job_dir)
                if not attempt.problems:
                    break
                mismatch = SandboxError("; ".join(attempt.problems))
                if chosen == "structured" and self.backend.writes_code:
                    # The program did not fit: a model that writes code edits the program's script.
                    chosen = "code"
                    messages += self._repair_turn(f"```python\n{script}```", mismatch)
                else:
                    messages += self._repair_turn(completion.text, mismatch)
            if best is None and not (cancel is not None and cancel.is_set()):
                salvaged = self._without_failures(text, attempts)
                if salvaged is not None:
                    best = salvaged
        except BaseException:
            if best is not None:
                _discard(best[0].job_dir)
            raise
        if best is None:
            last = attempts[-1].error or {} if attempts else {}
            raise GenerationFailed(
                f"no usable part after {len(attempts)} attempt(s): {last.get('message', 'unknown error')}",
                attempts,
                hint="rephrase the prompt with explicit sizes in mm, or use a stronger model "
                "(`partsmith models list`)",
            )
        result, chosen_attempt = best
        warnings = [*result.warnings, *chosen_attempt.problems]
        report(Progress("saving", chosen_attempt.number))
        return Generation(
            text, chosen_attempt.route, self.backend.model_id, result.script, result, attempts, warnings,
            {"generate_s": round(time.perf_counter() - started, 3)}, decision, vector,
            family=structured.family_of(chosen_attempt.program), program=chosen_attempt.program,
        )

    def _without_failures(self, prompt: str, attempts: list[Attempt]) -> tuple[JobResult, Attempt] | None:
        """When no attempt built: the structured attempt that got furthest, less the features the
        kernel could not build (at most LEAVE_OUT of them), as a parametric CAD tool keeps a model
        whose feature fails. Its problems say what was left out and why. None: nothing to keep."""
        failed = [(found, a) for a in attempts if a.program is not None and a.error
                  and (found := prune.failed_feature(str(a.error.get("message", "")))) is not None]
        if not failed:
            return None
        (index, kind, why), source = max(failed, key=lambda item: item[0][0])  # first of the furthest
        program: Program = parse(source.program)
        origin = list(range(len(program.features)))
        left_out: list[str] = []
        for _ in range(LEAVE_OUT):
            pruned = prune.without(program, index)
            if pruned is None:
                return None
            program, removed = pruned
            gone = ", ".join(f"features[{origin[r]}]" for r in removed[1:])
            left_out.append(f"left out features[{origin[index]}] ({kind}) of attempt {source.number}"
                            f"{f' and what works on it ({gone})' if gone else ''}: {why}")
            origin = [o for number, o in enumerate(origin) if number not in removed]
            script = structured.render(program)
            job_dir = self.pool.new_job_dir()
            try:
                result = self.pool.run(script, job_dir=job_dir)
            except SandboxError as exc:
                _discard(job_dir)
                found = prune.failed_feature(exc.message)
                if found is None:
                    return None
                index, kind, why = found
                continue
            problems = [*left_out, *checks.check(prompt, result.measurements),
                        *program_checks.check(program, result.measurements)]
            kept = program.model_dump(mode="json")
            return result, Attempt(source.number, "structured", dump(program), script, None, problems,
                                   0.0, 0, 0.0, kept)
        return None

    def _fallback(self, route: str) -> str:
        """A code-writing model whose program failed writes code next (programs cannot say
        everything); a model that cannot write code stays on programs."""
        return "code" if route == "structured" and self.backend.writes_code else route

    def _ask(
        self, route: str, prompt: str, messages: list[dict[str, str]], examples: list[ProgramExample],
        number: int, variant: int, report: ProgressCallback, cancel: threading.Event | None,
        rejected: tuple[str, str] | None = None, kit_only: bool = False,
    ) -> tuple[Completion, str, PartsmithError | None, Program | None]:
        """One answer from the model: (completion, script, why it is unusable, the program)."""
        # The first attempt is greedy (the model's best guess); repairs and variants sample.
        sampled = number > 1 or variant > 0
        seed = number + 1000 * variant
        counter = {"tokens": 0}
        began = time.perf_counter()

        def on_text(piece: str) -> None:
            counter["tokens"] += 1
            elapsed = time.perf_counter() - began
            rate = counter["tokens"] / elapsed if elapsed > 0 else 0.0
            stage = "generating" if number == 1 else "repairing"
            report(Progress(stage, number, counter["tokens"], rate, piece))

        if route == "structured" and kit_only:
            request = Request(
                prompt=family_route.build_prompt(prompt, examples), max_tokens=256, stop=["\n"],
                json_schema=family_route.json_schema(), temperature=0.7 if sampled else 0.0, seed=seed,
            )
            completion = self.backend.generate(request, on_text, cancel)
            try:
                program = family_route.parse(completion.text)
            except InputError as exc:
                return completion, "", exc, None
            return completion, structured.render(program), None, program
        if route == "structured":
            adapted = getattr(self.backend, "adapter", None) is not None
            request = Request(
                prompt=structured.build_prompt(prompt, examples, rejected, adapted=adapted),
                max_tokens=768,
                stop=["\n"], json_schema=structured.json_schema(), grammar=structured.gbnf(),
                temperature=0.7 if sampled else 0.0, seed=seed,
            )
            # The adapted model was trained to write programs: it answers unconstrained (about four
            # times faster: llama.cpp checks a grammar against all 262k tokens at every step), and
            # only an answer outside the schema is written again under the grammar.
            first = replace(request, json_schema=None, grammar=None) if adapted else request
            completion = self._structured_answer(first, on_text, cancel)
            answer = _program_answer(completion)
            cancelled = cancel is not None and cancel.is_set()
            if first is not request and answer[2] is not None and not cancelled:
                spent = completion.seconds
                completion = self._structured_answer(request, on_text, cancel)
                completion.seconds += spent
                answer = _program_answer(completion)
            return answer
        request = Request(messages=list(messages), max_tokens=1536, temperature=0.5 if sampled else 0.0,
                          seed=seed)
        completion = self.backend.generate(request, on_text, cancel)
        code = extract_code(completion.text)
        if not code.strip():
            return completion, "", ScriptError("the answer contained no Python script"), None
        return completion, code, None, None

    def _structured_answer(self, request: Request, on_text: Callable[[str], None],
                           cancel: threading.Event | None) -> Completion:
        """A program answer. A small model may repeat its last feature until the token limit:
        it is stopped at the first repeat (what it wrote before is kept), as a cancel the caller
        did not ask for."""
        looping = threading.Event()
        written: list[str] = []

        def watch(piece: str) -> None:
            on_text(piece)
            written.append(piece)
            if (cancel is not None and cancel.is_set()) or structured.repeating("".join(written)):
                looping.set()

        completion = self.backend.generate(request, watch, looping)
        if completion.finish == "cancelled" and not (cancel is not None and cancel.is_set()):
            completion.finish = "length"
        return completion

    @staticmethod
    def _repair_turn(answer: str, error: PartsmithError) -> list[dict[str, str]]:
        line = getattr(error, "line", None)
        source = getattr(error, "source_line", None)
        return [
            {"role": "assistant", "content": answer},
            {"role": "user", "content": repair_message(error.message, line, source)},
        ]


def _program_answer(completion: Completion) -> tuple[Completion, str, PartsmithError | None, Program | None]:
    """A program answer as `_ask` returns it: its script and program, or why it is unusable."""
    try:
        program = structured.parse_answer(completion.text)
    except InputError as exc:
        return completion, "", exc, None
    return completion, structured.render(program), None, program


def _past_programs(past: list[Reference]) -> list[ProgramExample]:
    """Earlier successful parts that were made from programs, as examples (a teammate's entry
    from a shared index included: its program is validated here, never trusted)."""
    found = []
    for reference in past:
        if reference.program is None:
            continue
        try:
            found.append(ProgramExample(reference.prompt, Program.model_validate(reference.program)))
        except ValueError:
            continue
    return found


def _discard(job_dir: Path) -> None:
    shutil.rmtree(job_dir, ignore_errors=True)
