"""The checks of a prompt's facts on prompts people type: the hand-written training prompts
(terse, conversational and specs of several sentences), each against its own part, which is right
(a fact not met is a false miss), the same part a quarter larger and the next program's part
(a fact not met there is a miss caught). Figures to bench/results/facts.*.

    python -m bench.facts
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from bench.common import write
from partsmith.build.geometry import measure
from partsmith.checks.stated import facts
from partsmith.program import compile_program, parse
from partsmith.training import dataset


def _measured(answer: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(compile(compile_program(parse(json.loads(answer))), "<program>", "exec"), namespace)
    return dataclasses.asdict(measure(namespace["result"]))


def figures() -> dict[str, Any]:
    groups = dataset.hand_groups()
    parts = [_measured(answer) for _, answer in groups]
    counts = {"prompts": 0, "facts": 0, "false_miss": 0, "caught_larger": 0, "caught_other": 0}
    misses: list[dict[str, str]] = []
    for index, (prompts, _) in enumerate(groups):
        right = parts[index]
        larger = {**right, "size": [s * 1.25 for s in right["size"]],
                  "holes": None if right.get("holes") is None else [h * 1.25 for h in right["holes"]]}
        other = parts[(index + 1) % len(parts)]
        for prompt in prompts:
            said = facts(prompt, right)
            counts["prompts"] += 1
            counts["facts"] += len(said)
            wrong = [fact for fact in said if not fact.met]
            counts["false_miss"] += bool(wrong)
            misses += [{"prompt": prompt, "fact": fact.said, "off": fact.off} for fact in wrong]
            counts["caught_larger"] += any(not fact.met for fact in facts(prompt, larger))
            counts["caught_other"] += any(not fact.met for fact in facts(prompt, other))
    n = counts["prompts"]
    shares = {f"{k}_share": round(counts[k] / n, 3) for k in ("false_miss", "caught_larger", "caught_other")}
    return {**counts, **shares, "false_misses": misses}


def main() -> None:
    data = figures()
    rows = "\n".join(f"| {m['prompt'][:90]} | {m['fact']} | {m['off']} |" for m in data["false_misses"])
    table = (f"{data['prompts']} hand-written prompts ({data['facts']} facts), each against its own right "
             f"part: **false misses on {data['false_miss']} prompts ({data['false_miss_share']:.3f})**; "
             f"misses caught on the part a quarter larger {data['caught_larger_share']:.2f}, on another "
             f"program's part {data['caught_other_share']:.2f}.\n\n"
             f"| prompt | fact | off |\n|---|---|---|\n{rows}\n")
    write("facts", data, table)
    print(table.splitlines()[0])


if __name__ == "__main__":
    main()
