"""Prompt to part: route, model, sandbox, dimension check and repair. The only module that knows
all the others.

Two routes end in the same sandbox:
- structured: the model writes a part program (bodies and features, kit families among them) as
  grammar-bound JSON, compiled to a script (any model, including the embedded base model, which
  always takes this route);
- code: the model writes build123d code (which may use the kit), and errors go back to it.
Every attempt is kept; attempts are bounded in number and in time.

Answers are chosen by evidence: each one that builds is scored against the facts the prompt
states (`checks.stated`: sizes where the words put them, holes, the kind of part, the features
named) and against the program's own sense (`checks.program`). The first answer is greedy; when it
meets every fact, no more are made. Otherwise more candidates are made (sampled, each with its own
seed; an answer the same as an earlier one is not built again) until one meets every fact or the
budget (`candidates`, at least `max_attempts`) is spent, and the one that meets the most wins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partsmith.checks import program as program_checks
from partsmith.checks import stated
from partsmith.checks.facts import Fact, unmet
from partsmith.errors import PartsmithError, SandboxError, failed_feature
from partsmith.generate import salvage, structured, styles
from partsmith.generate.code_prompts import repair_message, system_prompt
from partsmith.generate.examples import CodeExample
from partsmith.generate.router import Decision, Router
from partsmith.model.base import Backend, Cancelled, Completion, Request
from partsmith.model.embed import Vectors
from partsmith.program import Program, dump, parse
from partsmith.program.examples import ProgramExample
from partsmith.program.params import read_parameters
from partsmith.progress import Progress, ProgressCallback
from partsmith.prompt.dimensions import default_unit
from partsmith.prompt.edits import edit_words, named_changes
from partsmith.prompt.validate import check_prompt
from partsmith.sandbox import JobResult, SandboxPool
from partsmith.sandbox.pool import remove_job_dir

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
    facts: list[dict[str, Any]] = field(default_factory=list)  # the prompt's facts, met or not
    same_as: int | None = None  # the earlier attempt this answer repeated (not built again)
    # Sizes the engine put where the prompt's words say, on this answer's parameters.
    restated: dict[str, Any] | None = None
    build_s: float = 0.0  # the sandbox: the script and the check of its shape
    checks_s: float = 0.0

    def score(self) -> tuple[int, int]:
        """Lower is better: facts the part does not meet, then the program's own problems."""
        missed = unmet(Fact.from_dict(f) for f in self.facts)
        return missed, len(self.problems) - missed


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
    facts: list[dict[str, Any]] = field(default_factory=list)  # what the prompt states, met or not


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
                 past: PastParts | None = None, max_attempts: int = 3, candidates: int | None = None,
                 time_budget_s: float = 300.0) -> None:
        self.backend = backend
        self.pool = pool
        self.router = router or Router()
        self.past = past
        self.max_attempts = max_attempts
        # Answers made at most for one prompt: the attempts a failure may use, or more candidates.
        self.candidates = max(candidates or max_attempts, max_attempts)
        self.time_budget_s = time_budget_s

    def warm(self) -> None:
        """Get everything ready for a fast first prompt: the router's embeddings, the sandbox's
        worker, and the model readied for its prompt style's first request (its long fixed head
        in the KV cache; for the adapted model, which has no head, its grammar)."""
        self.router.warm()
        self.pool.warm()
        self.backend.generate(styles.first_style(self.backend.prompt_style).warm_request())

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
        asked = text
        if start is not None:
            # The model edits the earlier part: its script (code route) or its description.
            asked = f"{start.prompt}; changed: {text}"
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
        seen: dict[str, int] = {}  # each script that built, and the attempt that made it
        try:
            for number in range(1, self.candidates + 1):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if number > 1 and time.perf_counter() - started > self.time_budget_s:
                    break
                if number > self.max_attempts and best is None:
                    break  # candidates are for choosing among parts: failures get max_attempts
                report(Progress("generating" if number == 1 else "repairing", number))
                rejected = None
                if attempts and attempts[-1].route == "structured":
                    previous = attempts[-1]
                    rejected = (previous.answer,
                                (previous.error or {}).get("message") or "; ".join(previous.problems))
                style = styles.style_for(self.backend.prompt_style, chosen, number)
                repeats = sum(1 for a in attempts if a.same_as is not None)
                ask = styles.Ask(asked, program_examples, kit_examples, messages,
                                 rejected, sampled=number > 1 or variant > 0,
                                 seed=number + 1000 * variant, repeats=repeats)
                completion, script, parse_error, program = self._ask(style, ask, number, report, cancel)
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
                if script in seen:
                    # The same part again (a small model's confident mistake): not built again.
                    earlier = attempts[seen[script] - 1]
                    attempt.same_as = earlier.number
                    attempt.problems, attempt.facts = earlier.problems, earlier.facts
                    continue
                report(Progress("running", number, completion.tokens))
                job_dir = self.pool.new_job_dir()
                building = time.perf_counter()
                try:
                    result = self.pool.run(script, job_dir=job_dir)
                except SandboxError as exc:
                    attempt.build_s = round(time.perf_counter() - building, 3)
                    _discard(job_dir)  # the error is in the attempt; its files are of no use
                    attempt.error = exc.to_dict()
                    messages += self._repair_turn(completion.text, exc)
                    chosen = self._fallback(chosen)
                    continue
                attempt.build_s = round(time.perf_counter() - building, 3)
                seen[script] = number  # built: a failed build is tried again (a worker may have died)
                checking = time.perf_counter()
                found = stated.facts(text, result.measurements)
                attempt.facts = [fact.to_dict() for fact in found]
                attempt.problems = [fact.problem for fact in found if not fact.met]
                if program is not None:
                    attempt.problems += program_checks.check(program, result.measurements, result.idle)
                attempt.checks_s = round(time.perf_counter() - checking, 4)
                for made in filter(None, [(result, attempt), self._restated(text, result, attempt)]):
                    if best is None or made[1].score() < best[1].score():
                        if best is not None:
                            _discard(best[0].job_dir)
                        best = made
                    else:
                        _discard(made[0].job_dir)
                if best is not None and not best[1].problems:
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
        if chosen_attempt.restated:
            said = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                             for k, v in chosen_attempt.restated.items())
            warnings.append(f"the model's answer had other sizes than the prompt states; set {said}")
        report(Progress("saving", chosen_attempt.number))
        return Generation(
            text, chosen_attempt.route, self.backend.model_id, result.script, result, attempts, warnings,
            {"generate_s": round(time.perf_counter() - started, 3), **_stage_times(attempts)},
            decision, vector, family=structured.family_of(chosen_attempt.program),
            program=chosen_attempt.program, facts=chosen_attempt.facts,
        )

    def _without_failures(self, prompt: str, attempts: list[Attempt]) -> tuple[JobResult, Attempt] | None:
        """When no attempt built: the structured attempt that got furthest, less the features the
        kernel could not build (at most LEAVE_OUT of them), as a parametric CAD tool keeps a model
        whose feature fails. Its problems say what was left out and why. None: nothing to keep."""
        failed = [(found, a) for a in attempts if a.program is not None and a.error
                  and (found := failed_feature(a.error)) is not None]
        if not failed:
            return None
        found, source = max(failed, key=lambda item: item[0].index)  # first of the furthest
        index, kind, why = found.index, found.kind, found.reason
        program: Program = parse(source.program)
        origin = list(range(len(program.features)))
        left_out: list[str] = []
        for _ in range(LEAVE_OUT):
            pruned = salvage.without(program, index)
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
                again = failed_feature(exc.to_dict())
                if again is None:
                    return None
                index, kind, why = again.index, again.kind, again.reason
                continue
            said = stated.facts(prompt, result.measurements)
            problems = [*left_out, *(fact.problem for fact in said if not fact.met),
                        *program_checks.check(program, result.measurements, result.idle)]
            kept = program.model_dump(mode="json")
            return result, Attempt(source.number, "structured", dump(program), script, None, problems,
                                   0.0, 0, 0.0, kept, facts=[fact.to_dict() for fact in said])
        return None

    def _restated(self, prompt: str, result: JobResult, attempt: Attempt, rounds: int = 2,
                  program: dict[str, Any] | None = None) -> tuple[JobResult, Attempt] | None:
        """A candidate the engine makes: a built answer whose part misses a size the prompt states
        ("3 mm thick", "10 mm outer diameter", "four 6 mm holes", "60 x 40 x 5 mm"), with each
        such size set on the parameter its words name (by role, as an edit in words is), run
        again. None when no missed size names a parameter of the answer. A size the first answer
        met by chance and the new sizes miss ("50 mm long" on a tube 50 across) is set in a
        second round, up to `rounds`. `program`: the answer's part program, when `attempt` is an
        earlier round's candidate (which holds none: its sizes are no longer the program's)."""
        sizes = ("size", "length", "holes", "wall")
        # a wall last: it is set from the outside diameter, which another fact may set first
        missed = sorted((f for f in attempt.facts if not f.get("met") and f.get("about") in sizes),
                        key=lambda f: f.get("about") == "wall")
        if not missed:
            return None
        try:
            params = read_parameters(result.script)
        except (SyntaxError, ValueError, AssertionError):
            return None
        current = {p.name: p.value for p in params}
        changes: dict[str, Any] = {}
        unit = default_unit(prompt)
        for fact in missed:
            for words in edit_words(str(fact.get("said", "")), str(fact.get("about")), unit):
                found = named_changes(words, params)
                if found:
                    changes.update(found)
                    break
            else:
                changes.update(self._wall_as_bore(prompt, fact, params, {**current, **changes}))
        changes = {k: v for k, v in changes.items() if current.get(k) != v}
        if not changes:
            return None
        job_dir = self.pool.new_job_dir()
        building = time.perf_counter()
        try:
            rerun = self.pool.run(result.script, params=changes, job_dir=job_dir)
        except SandboxError:
            _discard(job_dir)
            return None
        said = stated.facts(prompt, rerun.measurements)
        # The program's own checks hold its old sizes, so only its idle entries are asked again
        # (the entries are the same in every round: only sizes change).
        program = program or attempt.program
        idle = program_checks.idle_problems(parse(program), rerun.idle) if program else []
        made = Attempt(attempt.number, attempt.route, attempt.answer, rerun.script, None,
                       [fact.problem for fact in said if not fact.met] + idle, 0.0, 0, 0.0, None,
                       facts=[fact.to_dict() for fact in said], restated=changes,
                       build_s=round(time.perf_counter() - building, 3))
        attempt.build_s += made.build_s
        if rounds > 1 and made.problems:
            again = self._restated(prompt, rerun, made, rounds - 1, program)
            if again is not None and len(again[1].problems) < len(made.problems):
                _discard(job_dir)
                attempt.build_s += again[1].build_s
                again[1].restated = {**changes, **(again[1].restated or {})}
                return again
        return rerun, made

    @staticmethod
    def _wall_as_bore(prompt: str, fact: dict[str, Any], params: list[Any],
                      values: dict[str, Any]) -> dict[str, Any]:
        """A tube's stated wall on a program that holds its bore ("2 mm wall" on a 10 mm tube is
        a 6 mm ID), from its outside diameter as it stands after the other stated sizes."""
        wall = stated.stated_wall(prompt)
        outside = values.get("outer_diameter")
        if fact.get("about") != "wall" or wall is None or not isinstance(outside, int | float):
            return {}
        bore = outside - 2 * wall[0]
        return (named_changes(f"{bore:g} mm ID", params) or {}) if bore > 0 else {}

    def _fallback(self, route: str) -> str:
        """A code-writing model whose program failed writes code next (programs cannot say
        everything); a model that cannot write code stays on programs."""
        return "code" if route == "structured" and self.backend.writes_code else route

    def _ask(
        self, style: styles.Style, ask: styles.Ask, number: int, report: ProgressCallback,
        cancel: threading.Event | None,
    ) -> tuple[Completion, str, PartsmithError | None, Program | None]:
        """One answer from the model in `style`: (completion, script, why it is unusable, the
        program). The first attempt is greedy (the model's best guess); repairs and variants sample."""
        counter = {"tokens": 0}
        began = time.perf_counter()

        def on_text(piece: str) -> None:
            counter["tokens"] += 1
            elapsed = time.perf_counter() - began
            rate = counter["tokens"] / elapsed if elapsed > 0 else 0.0
            stage = "generating" if number == 1 else "repairing"
            report(Progress(stage, number, counter["tokens"], rate, piece))

        completion: Completion | None = None
        problem: PartsmithError | None = None
        for request in style.requests(ask):
            if style.watches_repeats:
                done = self._structured_answer(request, on_text, cancel)
            else:
                done = self.backend.generate(request, on_text, cancel)
            if completion is not None:
                done.seconds += completion.seconds
            completion = done
            try:
                answer = style.parse(completion.text)
            except PartsmithError as exc:
                problem = exc
                if cancel is not None and cancel.is_set():
                    break
                continue
            return completion, answer.script, None, answer.program
        assert completion is not None, "a style asks at least once"
        return completion, "", problem, None

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


def _stage_times(attempts: list[Attempt]) -> dict[str, float]:
    """Where a prompt's time went: the model, the sandbox, the checks, and how many answers were
    made and built (candidates)."""
    return {
        "model_s": round(sum(a.seconds for a in attempts), 3),
        "build_s": round(sum(a.build_s for a in attempts), 3),
        "checks_s": round(sum(a.checks_s for a in attempts), 4),
        "answers": float(len(attempts)),
        "candidates": float(sum(1 for a in attempts if a.error is None and a.same_as is None)),
    }


def _discard(job_dir: Path) -> None:
    remove_job_dir(job_dir)
