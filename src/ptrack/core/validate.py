"""Validation: the JSON Schema, then semantic checks. Collects every problem; never raises for
content.

Fast path: a fastjsonschema validator accepts a valid file in a few milliseconds per thousand
tasks. Its code is generated from the schema ahead of time (``ptrack.core.schema_codegen``) and only
compiled at run time when the schema changed since. Only when it rejects the file does
``jsonschema`` run, to explain every problem with its path; each is rewritten for people and
located on its YAML node.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from collections.abc import Iterable, Iterator, Mapping, Sequence

from ptrack.core.diagnostics import CheckReport, Diagnostic, FileResult, JsonPath, Severity, format_json_path
from ptrack.core.loader import (SourceMap, YamlProblem, decode_bytes, display_path, load_yaml, parse_yaml,
                           problem_to_diagnostic)
from ptrack.core.model import Campaign, build_campaign, build_policy


@lru_cache(maxsize=1)
def schema_bytes() -> bytes:
    import ptrack.schema

    try:  # a plain file in an installed package (importlib.resources costs ~5 ms to import)
        return Path(ptrack.schema.__file__).with_name("campaign.schema.json").read_bytes()
    except OSError:  # pragma: no cover - e.g. imported from a zip file
        from importlib import resources

        return resources.files("ptrack.schema").joinpath("campaign.schema.json").read_bytes()


def schema_text() -> str:
    return schema_bytes().decode("utf-8")


@lru_cache(maxsize=1)
def load_schema() -> dict:
    return json.loads(schema_text())


def _is_date(value) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return True  # type and pattern report anything else
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_ANNOTATIONS = frozenset(("title", "description", "examples", "default", "$comment"))


def _without_annotations(node, keys_are_names: bool = False):
    """The schema minus its help texts: they do not validate anything, and fastjsonschema would
    compile all 50 KB of them into its code (54 ms instead of 35 ms on every start)."""
    if isinstance(node, dict):
        return {k: _without_annotations(v, k in ("properties", "definitions") and not keys_are_names)
                for k, v in node.items() if keys_are_names or k not in _ANNOTATIONS}
    if isinstance(node, list):
        return [_without_annotations(v) for v in node]
    return node


_FORMATS = {"date": _is_date}
# What the fast validators raise for an invalid document: fastjsonschema's
# JsonSchemaValueException when compiled at run time, the generated module's class of the same
# name otherwise; both are ValueErrors (and nothing else in them raises one).
SchemaValueError = ValueError


def _generated(kind: str):
    """The validator ``ptrack.core.schema_codegen`` generated for ``kind`` ("document", "task"), when
    it was generated from the installed schema file; else None (compile at run time)."""
    from ptrack.schema import schema_key

    if kind == "document":
        from ptrack.schema import fast_document as module
    else:
        from ptrack.schema import fast_task as module
    if module.SCHEMA_KEY != schema_key(schema_bytes()):
        return None
    return partial(module.validate, custom_formats=_FORMATS)


@lru_cache(maxsize=1)
def _fast_validator():
    generated = _generated("document")
    if generated is not None:
        return generated
    import fastjsonschema

    return fastjsonschema.compile(_without_annotations(load_schema()), formats=_FORMATS)


# The schema checks ``tasks`` item by item and nothing else about the list (no uniqueItems,
# minItems, contains): a document passes it exactly when every task passes the task definition
# and the rest of the document passes with an empty task list. ``ptrack.git.history`` checks each
# distinct task of a file's versions once that way. Anything else here, or a top-level keyword
# that could look at ``tasks`` otherwise (allOf, patternProperties, if/then...), turns it off.
_TASKS_PROPERTY = {"type": "array", "items": {"$ref": "#/definitions/task"}}
_SPLIT_ROOT_KEYS = frozenset(("$schema", "$id", "type", "required", "properties", "additionalProperties",
                              "definitions"))


def _task_schema(schema: dict) -> dict | None:
    """The schema of one item of ``tasks`` (with the definitions), or None when the schema's
    ``tasks`` is not a plain list of tasks (the split would not give the whole document's
    verdict)."""
    definitions = schema.get("definitions") or {}
    if (set(schema) - _SPLIT_ROOT_KEYS or (schema.get("properties") or {}).get("tasks") != _TASKS_PROPERTY
            or "task" not in definitions or schema.get("type") != "object"):
        return None
    task_schema = {key: schema[key] for key in ("$schema", "$id") if key in schema}
    task_schema.update(definitions["task"])
    task_schema["definitions"] = definitions
    return task_schema


@lru_cache(maxsize=1)
def _split_validators():
    """(task validator, validator of the rest), or None when the schema's ``tasks`` is not a
    plain list of tasks."""
    task_schema = _task_schema(_without_annotations(load_schema()))
    if task_schema is None:
        return None
    task_validator = _generated("task")
    if task_validator is None:
        import fastjsonschema

        task_validator = fastjsonschema.compile(task_schema, formats=_FORMATS)
    return (task_validator, _fast_validator())


def schema_split_available() -> bool:
    """True when ``task_passes_schema`` and ``rest_passes_schema`` together give the schema's
    verdict on a whole document (see ``_TASKS_PROPERTY``)."""
    return _split_validators() is not None


def task_passes_schema(task) -> bool:
    """One item of ``tasks`` passes the schema's task definition (``schema_split_available``)."""
    try:
        _split_validators()[0](task)
    except SchemaValueError:
        return False
    return True


def rest_passes_schema(rest: dict) -> bool:
    """A document without its ``tasks`` key passes the schema once given an empty task list."""
    try:
        _split_validators()[1]({**rest, "tasks": []})
    except SchemaValueError:
        return False
    return True


def _slow_errors(data) -> list:
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date")(_is_date)
    validator = jsonschema.Draft7Validator(load_schema(), format_checker=checker)
    return list(validator.iter_errors(data))


# ---------------------------------------------------------------------------------------------
# Schema errors, rewritten for people

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "empty",
}
_ID_PATTERN = "^[a-z0-9][a-z0-9-]*$"


def _show(value) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "null"


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    choices = list(choices)
    # the same word in other case first ("zh-cn" -> zh-CN, not the as close zh-TW)
    match = [c for c in choices if str(c).casefold() == str(word).casefold()][:1] \
        or difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


# What each chat handle of people.<id> looks like (ptrack notify), for the pattern's message.
_HANDLE_HINTS = {
    "email": "an email address, e.g. wang.xue@example.com",
    "feishu": "a Feishu open_id or user_id (letters, digits, _ and -), e.g. ou_7d8a6e6df7621556ce0d21922b676706",
    "dingtalk_mobile": "a mobile number, digits only, optionally with a country code: 13800138000 or +86-13800138000",
    "dingtalk_userid": "a DingTalk userId (letters, digits, _ and -)",
    "wecom_userid": "a WeCom userid (letters, digits, _ - . @), e.g. wangxue",
    "wecom_mobile": "a mobile number, digits only, optionally with a country code: 13800138000 or +86-13800138000",
    "slack": "a Slack member id: U or W followed by capital letters and digits, e.g. U024BE7LH",
    "github": "a GitHub login without @: letters, digits and single hyphens, e.g. wang-xue",
    "gitlab": "a GitLab username without @: letters, digits, _ . and -, e.g. wang.xue",
}


def _schema_diagnostics(error, source: SourceMap) -> Iterator[Diagnostic]:
    path = tuple(error.absolute_path)
    where = format_json_path(path)
    kind = error.validator
    value = error.instance
    schema = error.schema

    def diag(message: str, at: JsonPath = path, key: bool = False) -> Diagnostic:
        return Diagnostic("schema", Severity.ERROR, message, source.locate(at, key=key))

    if "propertyNames" in error.absolute_schema_path:
        yield diag(f'{where}: "{value}" is not allowed as a key here: ' + _short(error), path + (value,), True)
        return
    if kind == "additionalProperties":
        allowed = list((schema.get("properties") or {}).keys())
        for extra in sorted(set(value) - set(allowed)):
            hint = _did_you_mean(extra, allowed) or (
                "; allowed keys: " + ", ".join(allowed) if allowed else "")
            prefix = f"{where}: " if path else ""
            yield diag(f'{prefix}unknown key "{extra}"{hint}', path + (extra,), True)
        return
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        prefix = f"{where}: " if path else ""
        for key in missing:
            yield diag(f'{prefix}missing required key "{key}"')
        return
    if kind == "type":
        expected = error.validator_value
        names = " or ".join(_TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        shown = _show(value) if not isinstance(value, (dict, list, type(None))) else ""
        yield diag(f"{where}: expected {names}, got {_kind(value)} {shown}".rstrip())
        return
    if kind == "pattern" and path == ("campaign", "calendar"):
        yield Diagnostic("unknown-calendar", Severity.ERROR,
                         f"{where}: {_calendar_problem(value)}", source.locate(path))
        return
    if kind in ("format", "pattern") and (schema.get("format") == "date" or "[0-9]{4}-" in str(schema.get("pattern", ""))):
        yield diag(f"{where}: {_show(value)} is not a date; write YYYY-MM-DD, e.g. 2024-03-01")
        return
    if kind == "pattern" and len(path) == 3 and path[0] == "people" and path[2] in _HANDLE_HINTS:
        yield diag(f"{where}: {_show(value)} is not {_HANDLE_HINTS[path[2]]}")
        return
    if kind == "pattern" and error.validator_value == _ID_PATTERN:
        yield diag(f"{where}: {_show(value)} is not a valid id; use lowercase letters, digits and '-', "
                   "starting with a letter or digit (e.g. poster-draft)")
        return
    if kind == "enum":
        options = ", ".join(_show(v) for v in error.validator_value)
        yield diag(f"{where}: {_show(value)} is not one of {options}"
                   + _did_you_mean(value, [str(v) for v in error.validator_value]))
        return
    if kind == "const":
        yield diag(f"{where}: must be {_show(error.validator_value)}, not {_show(value)}")
        return
    if kind in ("minimum", "exclusiveMinimum"):
        op = "at least" if kind == "minimum" else "more than"
        yield diag(f"{where}: {_show(value)} is too small; it must be {op} {error.validator_value}")
        return
    if kind in ("maximum", "exclusiveMaximum"):
        op = "at most" if kind == "maximum" else "less than"
        yield diag(f"{where}: {_show(value)} is too large; it must be {op} {error.validator_value}")
        return
    if kind == "minLength":
        yield diag(f"{where}: must not be empty")
        return
    if kind == "uniqueItems":
        seen, dupes = [], []
        for item in value:
            (dupes if item in seen else seen).append(item)
        yield diag(f"{where}: {_show(dupes[0]) if dupes else 'an item'} is listed twice")
        return
    if kind in ("oneOf", "anyOf"):
        if path and path[-1] == "resolved":
            yield diag(f"{where}: {_show(value)} must be true, false or the date it was resolved (YYYY-MM-DD)")
            return
        yield diag(f"{where}: {_short(error)}")
        return
    yield diag(f"{where}: {_short(error)}")


def _calendar_problem(code: str) -> str:
    """Why ``code`` is not a calendar, with the likely intended one (``cn`` -> ``CN``)."""
    from ptrack.core.calendars import check_calendar_code

    problem = check_calendar_code(code) or f"{_show(code)} is not a calendar"
    upper = code.strip().upper()
    if upper != code and check_calendar_code(upper) is None:
        return f'{problem} (did you mean "{upper}"?)'
    return problem + _did_you_mean(code, ("none", "weekends"))


def _short(error) -> str:
    import jsonschema

    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        return best.message
    return error.message


# ---------------------------------------------------------------------------------------------
# Semantic checks

@dataclass
class _Checker:
    data: dict
    source: SourceMap
    out: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, message: str, path: JsonPath, *, severity=Severity.ERROR,
            key: bool = False, task: str | None = None) -> None:
        campaign = (self.data.get("campaign") or {}).get("id")
        self.out.append(Diagnostic(code, severity, message, self.source.locate(path, key=key),
                                   campaign, task))

    def line_of(self, path: JsonPath) -> int:
        return self.source.locate(path).line


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _semantic_diagnostics(data: dict, source: SourceMap) -> list[Diagnostic]:
    c = _Checker(data, source)
    camp = data["campaign"]
    tasks = data.get("tasks") or []
    goals = data.get("goals") or []
    milestones = data.get("milestones") or []
    people = data.get("people")

    # Calendar
    from ptrack.core.calendars import check_calendar_code

    calendar = camp.get("calendar", "weekends")
    problem = check_calendar_code(calendar)
    if problem:
        c.add("unknown-calendar", f"campaign.calendar: {problem}", ("campaign", "calendar"))

    # Campaign window and policy
    start, end = _date(camp["start"]), _date(camp["end"])
    if end < start:
        c.add("date-order", f"campaign.end {end} is before campaign.start {start}", ("campaign", "end"))
    policy = data.get("policy") or {}
    if policy.get("deviation_warn", 10) > policy.get("deviation_fail", 20):
        c.add("policy", "policy.deviation_warn is larger than policy.deviation_fail; the warning "
              "threshold must not exceed the failing one", ("policy", "deviation_warn"))

    # Duplicate ids, per kind
    task_ids = _unique_ids(c, tasks, "tasks", "task")
    goal_ids = _unique_ids(c, goals, "goals", "goal")
    _unique_ids(c, milestones, "milestones", "milestone")
    all_risks = [(("risks", i), r) for i, r in enumerate(data.get("risks") or [])] + [
        (("tasks", ti, "risks", ri), r)
        for ti, t in enumerate(tasks) for ri, r in enumerate(t.get("risks") or [])]
    seen_risk: dict[str, JsonPath] = {}
    for path, risk in all_risks:
        rid = risk.get("id")
        if rid is None:
            continue
        if rid in seen_risk:
            c.add("duplicate-id", f'risk id "{rid}" is used twice (first at line '
                  f"{c.line_of(seen_risk[rid] + ('id',))})", path + ("id",))
        else:
            seen_risk[rid] = path

    # People references
    if people is not None:
        known = set(people)

        def person(ref, path: JsonPath, task: str | None = None) -> None:
            if ref is not None and ref not in known:
                c.add("unknown-person", f'{format_json_path(path)}: "{ref}" is not one of the '
                      f"people{_did_you_mean(ref, known)}", path, task=task)

        person(camp.get("lead"), ("campaign", "lead"))
        for i, g in enumerate(goals):
            person(g.get("owner"), ("goals", i, "owner"))
        for i, m in enumerate(milestones):
            person(m.get("reviewed_by"), ("milestones", i, "reviewed_by"))
        for path, risk in all_risks:
            person(risk.get("owner"), path + ("owner",))
        for i, t in enumerate(tasks):
            person(t.get("owner"), ("tasks", i, "owner"), t["id"])
            for j, ref in enumerate(t.get("collaborators") or []):
                person(ref, ("tasks", i, "collaborators", j), t["id"])

    # Task references and dates
    for i, t in enumerate(tasks):
        tid = t["id"]
        for j, dep in enumerate(t.get("depends_on") or []):
            if dep == tid:
                c.add("dependency-cycle", f'task "{tid}" depends on itself', ("tasks", i, "depends_on", j), task=tid)
            elif dep not in task_ids:
                c.add("unknown-task", f'tasks[{i}].depends_on: "{dep}" is not a task id'
                      f"{_did_you_mean(dep, task_ids)}", ("tasks", i, "depends_on", j), task=tid)
        planned = t["planned"]
        ps, pe = _date(planned["start"]), _date(planned["end"])
        if pe < ps:
            c.add("date-order", f'task "{tid}": planned end {pe} is before planned start {ps}',
                  ("tasks", i, "planned", "end"), task=tid)
        actual = t.get("actual") or {}
        as_, ae = _date(actual.get("start")), _date(actual.get("end"))
        if as_ and ae and ae < as_:
            c.add("date-order", f'task "{tid}": actual end {ae} is before actual start {as_}',
                  ("tasks", i, "actual", "end"), task=tid)
        progress = t.get("progress")
        if ae and progress is not None and progress < 100:
            c.add("progress-inconsistent", f'task "{tid}": actual.end is set, so the task is done, '
                  f"but progress is {progress}; set progress to 100 or remove actual.end",
                  ("tasks", i, "progress"), task=tid)
        quantity = t.get("quantity")
        if quantity and quantity["done"] > quantity["total"]:
            c.add("progress-inconsistent", f'task "{tid}": quantity.done {quantity["done"]} is more '
                  f'than quantity.total {quantity["total"]}', ("tasks", i, "quantity", "done"), task=tid)
        if ps < start or pe > end:
            c.add("outside-window", f'task "{tid}": planned {ps}..{pe} falls outside the campaign '
                  f"window {start}..{end}", ("tasks", i, "planned"), severity=Severity.WARNING, task=tid)

    # Milestones
    for i, m in enumerate(milestones):
        for j, ref in enumerate(m.get("tasks") or []):
            if ref not in task_ids:
                c.add("unknown-task", f'milestones[{i}].tasks: "{ref}" is not a task id'
                      f"{_did_you_mean(ref, task_ids)}", ("milestones", i, "tasks", j))
        for gid in m.get("results") or {}:
            if gid not in goal_ids:
                c.add("unknown-goal", f'milestones[{i}].results: "{gid}" is not a goal id'
                      f"{_did_you_mean(gid, goal_ids)}", ("milestones", i, "results", gid), key=True)
        md = _date(m["date"])
        if md < start or md > end:
            c.add("outside-window", f'milestone "{m["id"]}" on {md} falls outside the campaign '
                  f"window {start}..{end}", ("milestones", i, "date"), severity=Severity.WARNING)

    # Goals
    for i, g in enumerate(goals):
        gs = _date(g.get("start")) or start
        if _date(g["due"]) < gs:
            c.add("date-order", f'goal "{g["id"]}": due {g["due"]} is before its start {gs}', ("goals", i, "due"))

    _dependency_cycles(c, tasks, task_ids)
    return c.out


def _unique_ids(c: _Checker, items: list, kind_path: str, kind: str) -> set[str]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        iid = item["id"]
        if iid in first:
            c.add("duplicate-id", f'{kind} id "{iid}" is used twice (first at line '
                  f"{c.line_of((kind_path, first[iid], 'id'))})", (kind_path, i, "id"),
                  task=iid if kind == "task" else None)
        else:
            first[iid] = i
    return set(first)


def _dependency_cycles(c: _Checker, tasks: list, task_ids: set[str]) -> None:
    """Report each dependency cycle once, naming it: a -> b -> c -> a (iterative DFS)."""
    index = {t["id"]: i for i, t in enumerate(tasks)}
    graph = {t["id"]: [d for d in (t.get("depends_on") or []) if d in task_ids and d != t["id"]]
             for t in tasks}
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(graph, WHITE)
    reported: set[frozenset] = set()
    for root in graph:
        if colour[root] != WHITE:
            continue
        stack = [(root, iter(graph[root]))]
        trail = [root]
        colour[root] = GREY
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = BLACK
                stack.pop()
                trail.pop()
            elif colour[child] == WHITE:
                colour[child] = GREY
                stack.append((child, iter(graph[child])))
                trail.append(child)
            elif colour[child] == GREY:
                cycle = trail[trail.index(child):]
                members = frozenset(cycle)
                if members not in reported:
                    reported.add(members)
                    first = cycle[0]
                    deps = tasks[index[first]].get("depends_on")
                    # ``first`` depends on the next task in the trail; point at that entry
                    nxt = cycle[1] if len(cycle) > 1 else first
                    j = deps.index(nxt) if nxt in deps else 0
                    # The trail reads "depends on" left to right.
                    names = " -> ".join(cycle + [first])
                    c.add("dependency-cycle", f"dependency cycle: {names} (each depends on the next)",
                          ("tasks", index[first], "depends_on", j), task=first)


# ---------------------------------------------------------------------------------------------
# Entry points

def validate_document(data, source: SourceMap) -> list[Diagnostic]:
    """Every problem of one loaded document, sorted by position."""
    if not isinstance(data, dict):
        return [Diagnostic("schema", Severity.ERROR,
                           f"a campaign file is a mapping starting with 'ptrack: 1', not {_kind(data)}",
                           source.locate(()))]
    try:
        _fast_validator()(data)
    except SchemaValueError as exc:
        out = [d for e in _slow_errors(data) for d in _schema_diagnostics(e, source)]
        if not out:  # the two validators disagree (should not happen): report the fast one's word
            path = tuple(int(p) if p.isdigit() else p for p in exc.path[1:])
            out = [Diagnostic("schema", Severity.ERROR, exc.message, source.locate(path))]
        return sorted(set(out), key=Diagnostic.sort_key)
    return sorted(_semantic_diagnostics(data, source), key=Diagnostic.sort_key)


def semantic_diagnostics(data: dict, source: SourceMap) -> list[Diagnostic]:
    """``validate_document`` for a document known to pass the schema (``task_passes_schema``
    for each task and ``rest_passes_schema`` for the rest): the semantic checks, sorted."""
    return sorted(_semantic_diagnostics(data, source), key=Diagnostic.sort_key)


@dataclass
class LoadResult:
    """One campaign file: its diagnostics, and the model when it has no errors."""

    file: str
    diagnostics: list[Diagnostic]
    campaign: Campaign | None = None

    @property
    def ok(self) -> bool:
        return self.campaign is not None


def load_campaign(path: Path | str, policy_defaults: Mapping[str, object] | None = None) -> LoadResult:
    """Load, validate and build one campaign file. Raises only UsageError (unreadable path)."""
    file = display_path(path)
    try:
        doc = load_yaml(path, file)
    except YamlProblem as problem:
        return LoadResult(file, [problem_to_diagnostic(problem, file)])
    return validate_loaded(doc, policy_defaults)


def load_campaign_bytes(raw: bytes, file: str,
                        policy_defaults: Mapping[str, object] | None = None) -> LoadResult:
    """The same for a version of a file that is not on disk (e.g. read from git history)."""
    try:
        doc = parse_yaml(decode_bytes(raw), file)
    except YamlProblem as problem:
        return LoadResult(file, [problem_to_diagnostic(problem, file)])
    return validate_loaded(doc, policy_defaults)


def validate_loaded(doc, policy_defaults: Mapping[str, object] | None = None) -> LoadResult:
    """Validate a loaded document and build its model: what ``ptrack validate`` does with each
    file once it is loaded."""
    diagnostics = document_problems(doc, policy_defaults)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return LoadResult(doc.file, diagnostics)
    return LoadResult(doc.file, diagnostics, build_campaign(doc.data, doc.file, doc.source, policy_defaults))


def document_problems(doc, policy_defaults: Mapping[str, object] | None = None) -> list[Diagnostic]:
    """Every problem ``validate_loaded`` reports for a loaded document, without building its
    model (``ptrack.edit`` checks its results with it)."""
    diagnostics = validate_document(doc.data, doc.source)
    if not policy_defaults or any(d.severity is Severity.ERROR for d in diagnostics):
        return diagnostics
    policy = build_policy(doc.data, policy_defaults)
    if policy.deviation_warn > policy.deviation_fail:
        # Each side was valid alone; together (ptrack.yaml's defaults under the campaign's own
        # policy) the warning threshold passes the failing one.
        at = ("policy",) if "policy" in doc.data else ("campaign",)
        diagnostics.append(Diagnostic(
            "policy", Severity.ERROR,
            f"with the defaults of ptrack.yaml, deviation_warn ({policy.deviation_warn:g}) is larger "
            f"than deviation_fail ({policy.deviation_fail:g}); the warning threshold must not exceed "
            "the failing one", doc.source.locate(at, key=True), doc.data["campaign"]["id"]))
    return diagnostics


# ---------------------------------------------------------------------------------------------
# Several files (the pipeline's first stage; ``ptrack.pipeline`` re-exports these)

def load_all(files: Sequence[Path], config) -> list[LoadResult]:
    """Load every file with the policy defaults of ``config`` (a ``ptrack.config.Config``);
    a campaign id used by an earlier file makes the later file an error."""
    results = [load_campaign(f, config.policy) for f in files]
    _check_unique_campaign_ids(results)
    return results


def _check_unique_campaign_ids(results: list[LoadResult]) -> None:
    seen: dict[str, str] = {}
    for r in results:
        if r.campaign is None:
            continue
        cid = r.campaign.id
        if cid in seen:
            r.diagnostics.append(Diagnostic(
                "duplicate-id", Severity.ERROR,
                f'campaign id "{cid}" is also used by {seen[cid]}; each campaign needs its own id',
                r.campaign.locate(("campaign", "id")), cid))
            r.campaign = None
        else:
            seen[cid] = r.file


def validate_files(files: Sequence[Path], config) -> CheckReport:
    results = load_all(files, config)
    return CheckReport([FileResult(r.file, r.diagnostics, r.campaign.id if r.campaign else None) for r in results])
