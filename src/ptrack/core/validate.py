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

from ptrack.core.diagnostics import CheckReport, Diagnostic, FileResult, JsonPath, Location, Severity
from ptrack.core.loader import (SourceMap, YamlProblem, decode_bytes, display_path, parse_yaml, problem_to_diagnostic,
                                read_text, sniff_locale)
from ptrack.core.model import Campaign, build_campaign, build_policy, dependency_id
from ptrack.i18n import M_, N_, Message, normalise_locale, t


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
# Schema errors, rewritten for people (as messages: ``validate_document`` says them in the
# campaign's language; ptrack.yaml's policy check raises them)

_TYPE_NAMES = {
    "string": N_("type.string"),
    "number": N_("type.number"),
    "integer": N_("type.integer"),
    "boolean": N_("type.boolean"),
    "object": N_("type.object"),
    "array": N_("type.array"),
    "null": N_("type.null"),
}
_ID_PATTERN = "^[a-z0-9][a-z0-9-]*$"


class Shown:
    """A value of the file as a message shows it: text quoted in the reader's quotes ("60%",
    “60%”), true/false/null as written, a mapping or a list by its kind, numbers as they are."""

    __slots__ = ("value", "raw")

    def __init__(self, value, raw: bool = False) -> None:
        self.value = value
        self.raw = raw  # a key: as written (the terminal shows its control characters), not JSON-escaped

    def text(self, locale: str | None) -> str:
        value = self.value
        if isinstance(value, str):
            shown = value if self.raw else json.dumps(value, ensure_ascii=False)[1:-1]
            return t(locale, "punct.quoted", text=shown)
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if isinstance(value, dict):
            return t(locale, "value_kind.mapping")
        if isinstance(value, list):
            return t(locale, "value_kind.list")
        return str(value)

    def __eq__(self, other) -> bool:
        return isinstance(other, Shown) and type(other.value) is type(self.value) and other.value == self.value

    def __hash__(self) -> int:
        return hash(repr(self.value))

    def __repr__(self) -> str:
        return f"Shown({self.value!r})"


class Listed:
    """Several values joined the reader's way ("a, b, c" / "a、b、c"), each shown (``Shown``) or as
    it is (``plain``: key and option names)."""

    __slots__ = ("values", "plain")

    def __init__(self, values, plain: bool = False) -> None:
        self.values = tuple(values)
        self.plain = plain

    def text(self, locale: str | None) -> str:
        items = [str(v) if self.plain else Shown(v).text(locale) for v in self.values]
        return t(locale, "punct.list").join(items)

    def __eq__(self, other) -> bool:
        return isinstance(other, Listed) and (other.values, other.plain) == (self.values, self.plain)

    def __hash__(self) -> int:
        return hash((self.values, self.plain))

    def __repr__(self) -> str:
        return f"Listed({self.values!r})"


def _kind(value) -> Message:
    if isinstance(value, bool):
        return M_("value_kind.boolean")
    if isinstance(value, (int, float)):
        return M_("value_kind.number")
    if isinstance(value, str):
        return M_("value_kind.text")
    if isinstance(value, dict):
        return M_("value_kind.mapping")
    if isinstance(value, list):
        return M_("value_kind.list")
    return M_("value_kind.null")


def _closest(word: str, choices: Iterable[str]) -> str | None:
    choices = list(choices)
    # the same word in other case first ("zh-cn" -> zh-CN, not the as close zh-TW)
    match = [c for c in choices if str(c).casefold() == str(word).casefold()][:1] \
        or difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return match[0] if match else None


def _did_you_mean(word: str, choices: Iterable[str]) -> Message | str:
    """`` (did you mean "owner"?)`` / ``（是不是“owner”？）``, or "" when nothing is close."""
    match = _closest(word, choices)
    return M_("hint.did_you_mean", choice=Shown(match)) if match is not None else ""


def _with_hint(message: Message, hint: Message | None) -> Message:
    """``message; hint`` (``message；hint``), or ``message`` without a hint."""
    return M_("hint.join", message=message, hint=hint) if hint is not None else message


# What each chat handle of people.<id> looks like (ptrack notify), for the pattern's message.
_HANDLE_HINTS = {
    "email": N_("handle.email"),
    "feishu": N_("handle.feishu"),
    "dingtalk_mobile": N_("handle.mobile"),
    "dingtalk_userid": N_("handle.dingtalk_userid"),
    "wecom_userid": N_("handle.wecom_userid"),
    "wecom_mobile": N_("handle.mobile"),
    "slack": N_("handle.slack"),
    "github": N_("handle.github"),
    "gitlab": N_("handle.gitlab"),
}


def _is_number_type(expected) -> bool:
    types = [expected] if isinstance(expected, str) else list(expected)
    return bool(types) and all(x in ("number", "integer") for x in types)


def schema_messages(error, source: SourceMap) -> Iterator[tuple[str, Message, Location]]:
    """One jsonschema error as (code, message, location): each problem said for people, at its
    YAML node, naming tasks by their ids, with a hint where the value was typed the way a Chinese
    keyboard types it."""
    from ptrack.core.hints import as_date, date_hint, key_hint, number_hint, text_hint

    path = tuple(error.absolute_path)
    where = source.place(path)
    kind = error.validator
    value = error.instance
    schema = error.schema

    def at(message: Message, at_path: JsonPath = path, key: bool = False, code: str = "schema"):
        return code, message, source.locate(at_path, key=key)

    def problem(message_key: str, /, **values) -> Message:
        said = M_(message_key, **values)
        return M_("schema.at", where=where, problem=said) if path else said

    if "propertyNames" in error.absolute_schema_path:
        inner = error.context[0] if error.context else None
        if inner is not None and inner.validator == "enum":
            yield at(_with_hint(problem(N_("schema.key_not_one_of"), key=Shown(value, raw=True),
                                        options=Listed(inner.validator_value, plain=True),
                                        hint=_did_you_mean(value, [str(v) for v in inner.validator_value])),
                                key_hint(value)), path + (value,), True)
        else:
            yield at(_with_hint(problem(N_("schema.key_not_an_id"), key=Shown(value, raw=True)), key_hint(value)),
                     path + (value,), True)
        return
    if kind == "additionalProperties":
        allowed = list((schema.get("properties") or {}).keys())
        for extra in sorted(set(value) - set(allowed)):
            meant = _fullwidth_meant(extra, allowed)
            if meant is not None:
                yield at(_with_hint(problem(N_("schema.unknown_key"), key=Shown(extra, raw=True), hint=""), key_hint(extra)),
                         path + (extra,), True)
                continue
            hint = _did_you_mean(extra, allowed)
            if hint:
                message = problem(N_("schema.unknown_key"), key=Shown(extra, raw=True), hint=hint)
            elif allowed:
                message = problem(N_("schema.unknown_key_allowed"), key=Shown(extra, raw=True),
                                  allowed=Listed(allowed, plain=True))
            else:
                message = problem(N_("schema.unknown_key"), key=Shown(extra, raw=True), hint="")
            yield at(message, path + (extra,), True)
        return
    if kind == "required":
        missing = [k for k in error.validator_value if k not in value]
        written_with_fullwidth_colon = {_fullwidth_meant(k, missing) for k in value}
        for key in missing:
            if key in written_with_fullwidth_colon:
                continue  # "name：王" is said once, as the unknown key it is
            yield at(problem(N_("schema.missing_key"), key=Shown(key, raw=True)))
        return
    if kind == "type":
        expected = error.validator_value
        names = [M_(_TYPE_NAMES.get(x, "type.string")) for x in ([expected] if isinstance(expected, str) else expected)]
        name = names[0]
        for other in names[1:]:
            name = M_("type.or", a=name, b=other)
        got = M_("schema.got_value", kind=_kind(value), value=Shown(value)) \
            if not isinstance(value, (dict, list, type(None))) else _kind(value)
        hint = number_hint(value) if _is_number_type(expected) else text_hint(value)
        yield at(_with_hint(problem(N_("schema.type"), expected=name, got=got), hint))
        return
    if kind == "pattern" and path == ("campaign", "calendar"):
        yield at(M_("schema.at", where=where, problem=_calendar_problem(value)), code="unknown-calendar")
        return
    if kind in ("format", "pattern") and (schema.get("format") == "date" or "[0-9]{4}-" in str(schema.get("pattern", ""))):
        fixed = as_date(value)
        if fixed is not None:
            yield at(problem(N_("schema.not_a_date_fix"), value=Shown(value), fixed=fixed))
        else:
            yield at(_with_hint(problem(N_("schema.not_a_date"), value=Shown(value)), text_hint(value)))
        return
    if kind == "pattern" and len(path) == 3 and path[0] == "people" and path[2] in _HANDLE_HINTS:
        yield at(_with_hint(problem(N_("schema.not_a_handle"), value=Shown(value), handle=M_(_HANDLE_HINTS[path[2]])),
                            text_hint(value)))
        return
    if kind == "pattern" and error.validator_value == _ID_PATTERN:
        yield at(_with_hint(problem(N_("schema.not_an_id"), value=Shown(value)), text_hint(value)))
        return
    if kind == "pattern":
        yield at(_with_hint(problem(N_("schema.pattern"), value=Shown(value)), text_hint(value)))
        return
    if kind == "enum":
        yield at(_with_hint(problem(N_("schema.not_one_of"), value=Shown(value), options=Listed(error.validator_value),
                                    hint=_did_you_mean(value, [str(v) for v in error.validator_value])),
                            text_hint(value)))
        return
    if kind == "const":
        yield at(problem(N_("schema.const"), expected=Shown(error.validator_value), value=Shown(value)))
        return
    if kind in ("minimum", "exclusiveMinimum"):
        key = N_("schema.minimum") if kind == "minimum" else N_("schema.exclusive_minimum")
        yield at(problem(key, value=Shown(value), limit=error.validator_value))
        return
    if kind in ("maximum", "exclusiveMaximum"):
        key = N_("schema.maximum") if kind == "maximum" else N_("schema.exclusive_maximum")
        yield at(problem(key, value=Shown(value), limit=error.validator_value))
        return
    if kind == "minLength":
        yield at(problem(N_("schema.empty")))
        return
    if kind == "uniqueItems":
        seen, dupes = [], []
        for item in value:
            (dupes if item in seen else seen).append(item)
        yield at(problem(N_("schema.listed_twice"), value=Shown(dupes[0]) if dupes else "?"))
        return
    if kind in ("oneOf", "anyOf"):
        if path and path[-1] == "resolved":
            yield at(_with_hint(problem(N_("schema.resolved"), value=Shown(value)), date_hint(value)))
            return
        branch = _branch_of_its_type(error) or _branch_of_its_keys(error)
        if branch:  # the alternative written (a mapping, say): what is wrong inside it
            for sub in branch:
                yield from schema_messages(sub, source)
            return
        if len(path) >= 2 and path[-2] == "depends_on":
            yield at(problem(N_("schema.dependency")))
            return
        if len(path) == 4 and path[1] == "calendar_overrides":
            yield at(problem(N_("schema.calendar_day"), value=Shown(value)))
            return
        return
    yield at(problem(N_("schema.other"), detail=_short(error)))


def _fullwidth_meant(key, choices) -> str | None:
    """The key of ``choices`` that ``key`` is with its value joined by a full-width colon
    (``name：王`` -> ``name``), else None."""
    from ptrack.core.hints import fullwidth_key_name

    name = fullwidth_key_name(key)
    return name if name is not None and name in choices else None


def _calendar_problem(code: str) -> Message:
    """Why ``code`` is not a calendar, with the likely intended one (``cn`` -> ``CN``)."""
    from ptrack.core.calendars import check_calendar_code

    problem = check_calendar_code(code) or M_("calendar.not_a_calendar", code=code)
    upper = code.strip().upper()
    if upper != code and check_calendar_code(upper) is None:
        return M_("hint.append", message=problem, hint=M_("hint.did_you_mean", choice=Shown(upper)))
    hint = _did_you_mean(code, ("none", "weekends"))
    return M_("hint.append", message=problem, hint=hint) if hint else problem


def _branch_of_its_type(error) -> list:
    """The errors of the one alternative of a oneOf/anyOf whose type the value has (``{task: a,
    lag: 1.5}`` against "an id or a mapping": the mapping's errors), or [] when there is no such
    single alternative."""
    here = list(error.absolute_path)
    branches: dict[int, list] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fitting = [errs for errs in branches.values()
               if not any(e.validator == "type" and list(e.absolute_path) == here for e in errs)]
    return fitting[0] if len(fitting) == 1 else []


def _branch_of_its_keys(error) -> list:
    """For a mapping that fits none of several mapping alternatives (``{start: D}`` against a
    date, ``{date: D}`` or ``{start: D, end: D}``): the errors of the alternative that has the
    most of its keys (the range's: "end" is missing), or [] when no one alternative does."""
    if not isinstance(error.instance, dict):
        return []
    keys = set(error.instance)
    branches: dict[int, list] = {}
    for sub in error.context or ():
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    shared = {i: len(keys & set((error.schema[error.validator][i].get("properties") or {})))
              for i in branches}
    best = max(shared.values(), default=0)
    fitting = [i for i, n in shared.items() if n == best]
    return branches[fitting[0]] if best and len(fitting) == 1 else []


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
    locale: str
    out: list[Diagnostic] = field(default_factory=list)

    def add(self, code: str, message: Message, path: JsonPath, *, severity=Severity.ERROR,
            key: bool = False, task: str | None = None) -> None:
        campaign = (self.data.get("campaign") or {}).get("id")
        self.out.append(Diagnostic(code, severity, message.text(self.locale), self.source.locate(path, key=key),
                                   campaign, task, locale=self.locale))

    def line_of(self, path: JsonPath) -> int:
        return self.source.locate(path).line

    def place(self, path: JsonPath):
        return self.source.place(path)


def _date(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


# The longest range one calendar_overrides entry may cover (days, both ends counted): a year.
MAX_OVERRIDE_RANGE = 366


def _range_days(item: dict) -> int:
    return (date.fromisoformat(item["end"]) - date.fromisoformat(item["start"])).days + 1


_OVERRIDE_LISTS = {"days_off": N_("check.override.days_off"), "working_days": N_("check.override.working_days")}


def _calendar_overrides(c: _Checker, overrides) -> None:
    """``campaign.calendar_overrides``: a range that ends before it starts, a day written twice
    in one list, a day both off and a working day. Each said once per entry, at the entry."""
    if not isinstance(overrides, dict):
        return
    from ptrack.core.calendars import override_days

    first: dict[str, dict[date, JsonPath]] = {}
    for key in _OVERRIDE_LISTS:
        days = first[key] = {}
        for i, item in enumerate(overrides.get(key) or ()):
            at = ("campaign", "calendar_overrides", key, i)
            if isinstance(item, dict) and "start" in item and item["end"] < item["start"]:
                c.add("date-order", M_("check.override.end_before_start", list=M_(_OVERRIDE_LISTS[key]),
                                       start=item["start"], end=item["end"]), at + ("end",))
                continue
            if isinstance(item, dict) and "start" in item and _range_days(item) > MAX_OVERRIDE_RANGE:
                # a year typed wrong (2207 for 2027): a change of a calendar covers days, not centuries
                c.add("calendar-override", M_("check.override.too_long", list=M_(_OVERRIDE_LISTS[key]),
                                              start=item["start"], end=item["end"], days=_range_days(item),
                                              most=MAX_OVERRIDE_RANGE), at + ("end",))
                continue
            for day in override_days(item):
                if day in days:
                    c.add("calendar-override", M_("check.override.twice", list=M_(_OVERRIDE_LISTS[key]),
                                                  day=day.isoformat(), first=c.line_of(days[day])), at)
                    break
            for day in override_days(item):
                days.setdefault(day, at)
    for i, item in enumerate(overrides.get("working_days") or ()):
        at = ("campaign", "calendar_overrides", "working_days", i)
        clash = next((day for day in override_days(item) if day in first["days_off"]), None)
        if clash is not None and first["working_days"].get(clash) == at:
            c.add("calendar-override", M_("check.override.both", day=clash.isoformat(),
                                          first=c.line_of(first["days_off"][clash])), at)


def _semantic_diagnostics(data: dict, source: SourceMap, locale: str) -> list[Diagnostic]:
    from ptrack.core.hints import text_hint

    c = _Checker(data, source, locale)
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
        c.add("unknown-calendar", M_("schema.at", where=c.place(("campaign", "calendar")), problem=problem),
              ("campaign", "calendar"))
    _calendar_overrides(c, camp.get("calendar_overrides"))

    # Campaign window and policy
    start, end = _date(camp["start"]), _date(camp["end"])
    if end < start:
        c.add("date-order", M_("check.campaign_end_before_start", end=end.isoformat(), start=start.isoformat()),
              ("campaign", "end"))
    policy = data.get("policy") or {}
    if policy.get("deviation_warn", 10) > policy.get("deviation_fail", 20):
        c.add("policy", M_("check.policy_thresholds"), ("policy", "deviation_warn"))

    # Duplicate ids, per kind. A task id used twice is said once, at its second use: references
    # to it (depends_on, milestones) are not errors of their own.
    task_ids = _unique_ids(c, tasks, "tasks", N_("check.duplicate_task"))
    goal_ids = _unique_ids(c, goals, "goals", N_("check.duplicate_goal"))
    _unique_ids(c, milestones, "milestones", N_("check.duplicate_milestone"))
    all_risks = [(("risks", i), r) for i, r in enumerate(data.get("risks") or [])] + [
        (("tasks", ti, "risks", ri), r)
        for ti, t_ in enumerate(tasks) for ri, r in enumerate(t_.get("risks") or [])]
    seen_risk: dict[str, JsonPath] = {}
    for path, risk in all_risks:
        rid = risk.get("id")
        if rid is None:
            continue
        if rid in seen_risk:
            c.add("duplicate-id", M_("check.duplicate_risk", id=rid, first=c.line_of(seen_risk[rid] + ("id",))),
                  path + ("id",))
        else:
            seen_risk[rid] = path

    # People references
    if people is not None:
        known = set(people)

        def person(ref, path: JsonPath, task: str | None = None) -> None:
            if ref is not None and ref not in known:
                message = M_("check.unknown_person", where=c.place(path), ref=Shown(ref),
                             hint=_did_you_mean(ref, known))
                c.add("unknown-person", _with_hint(message, text_hint(ref)), path, task=task)

        person(camp.get("lead"), ("campaign", "lead"))
        for i, g in enumerate(goals):
            person(g.get("owner"), ("goals", i, "owner"))
        for i, m in enumerate(milestones):
            person(m.get("reviewed_by"), ("milestones", i, "reviewed_by"))
        for path, risk in all_risks:
            person(risk.get("owner"), path + ("owner",))
        for i, t_ in enumerate(tasks):
            person(t_.get("owner"), ("tasks", i, "owner"), t_["id"])
            for j, ref in enumerate(t_.get("collaborators") or []):
                person(ref, ("tasks", i, "collaborators", j), t_["id"])

    # Task references and dates. The dependencies of a task whose id is another's (already an
    # error) are not checked: "b" renamed "a" by mistake would depend on itself.
    first_of: dict[str, int] = {}
    for i, t_ in enumerate(tasks):
        first_of.setdefault(t_["id"], i)
    for i, t_ in enumerate(tasks):
        tid = t_["id"]
        seen_deps: set[str] = set()
        for j, item in enumerate(t_.get("depends_on") or [] if first_of[tid] == i else []):
            dep = dependency_id(item)
            at = ("tasks", i, "depends_on", j) + (() if isinstance(item, str) else ("task",))
            if dep == tid:
                c.add("dependency-cycle", M_("check.depends_on_itself", task=tid), at, task=tid)
            elif dep not in task_ids:
                message = M_("check.unknown_task", where=c.place(("tasks", i, "depends_on")), ref=Shown(dep),
                             hint=_did_you_mean(dep, task_ids))
                c.add("unknown-task", _with_hint(message, text_hint(dep)), at, task=tid)
            elif dep in seen_deps:
                c.add("duplicate-dependency", M_("check.duplicate_dependency", task=tid, dep=dep), at, task=tid)
            seen_deps.add(dep)
        planned = t_["planned"]
        ps, pe = _date(planned["start"]), _date(planned["end"])
        if pe < ps:
            c.add("date-order", M_("check.planned_end_before_start", task=tid, end=pe.isoformat(), start=ps.isoformat()),
                  ("tasks", i, "planned", "end"), task=tid)
        actual = t_.get("actual") or {}
        as_, ae = _date(actual.get("start")), _date(actual.get("end"))
        if as_ and ae and ae < as_:
            c.add("date-order", M_("check.actual_end_before_start", task=tid, end=ae.isoformat(), start=as_.isoformat()),
                  ("tasks", i, "actual", "end"), task=tid)
        progress = t_.get("progress")
        if ae and progress is not None and progress < 100:
            c.add("progress-inconsistent", M_("check.progress_after_end", task=tid, progress=progress),
                  ("tasks", i, "progress"), task=tid)
        quantity = t_.get("quantity")
        if quantity and quantity["done"] > quantity["total"]:
            c.add("progress-inconsistent", M_("check.quantity_over_total", task=tid, done=quantity["done"],
                                              total=quantity["total"]),
                  ("tasks", i, "quantity", "done"), task=tid)
        if ps < start or pe > end:
            c.add("outside-window", M_("check.task_outside_window", task=tid, start=ps.isoformat(), end=pe.isoformat(),
                                       window_start=start.isoformat(), window_end=end.isoformat()),
                  ("tasks", i, "planned"), severity=Severity.WARNING, task=tid)

    # Milestones
    for i, m in enumerate(milestones):
        for j, ref in enumerate(m.get("tasks") or []):
            if ref not in task_ids:
                message = M_("check.unknown_task", where=c.place(("milestones", i, "tasks")), ref=Shown(ref),
                             hint=_did_you_mean(ref, task_ids))
                c.add("unknown-task", _with_hint(message, text_hint(ref)), ("milestones", i, "tasks", j))
        for gid in m.get("results") or {}:
            if gid not in goal_ids:
                message = M_("check.unknown_goal", where=c.place(("milestones", i, "results")), ref=Shown(gid),
                             hint=_did_you_mean(gid, goal_ids))
                c.add("unknown-goal", message, ("milestones", i, "results", gid), key=True)
        md = _date(m["date"])
        if md < start or md > end:
            c.add("outside-window", M_("check.milestone_outside_window", milestone=m["id"], date=md.isoformat(),
                                       window_start=start.isoformat(), window_end=end.isoformat()),
                  ("milestones", i, "date"), severity=Severity.WARNING)

    # Goals
    for i, g in enumerate(goals):
        gs = _date(g.get("start")) or start
        if _date(g["due"]) < gs:
            c.add("date-order", M_("check.goal_due_before_start", goal=g["id"], due=g["due"], start=gs.isoformat()),
                  ("goals", i, "due"))

    _fullwidth_commas(c, tasks)
    _dependency_cycles(c, tasks, task_ids)
    return c.out


def _fullwidth_commas(c: _Checker, tasks: list) -> None:
    """A channel written ``[抖音，小红书]`` is one channel named "抖音，小红书": valid, and not what
    was meant. A warning with the list written out (ids in the other lists fail their pattern)."""
    from ptrack.core.hints import FULLWIDTH_COMMA, text_hint

    for i, t_ in enumerate(tasks):
        for j, channel in enumerate(t_.get("channels") or []):
            if isinstance(channel, str) and FULLWIDTH_COMMA in channel:
                c.add("fullwidth-comma", _with_hint(M_("check.fullwidth_comma", where=c.place(("tasks", i, "channels", j)),
                                                       value=Shown(channel)), text_hint(channel)),
                      ("tasks", i, "channels", j), severity=Severity.WARNING, task=t_["id"])


def _unique_ids(c: _Checker, items: list, kind_path: str, key: str) -> set[str]:
    first: dict[str, int] = {}
    for i, item in enumerate(items):
        iid = item["id"]
        if iid in first:
            c.add("duplicate-id", M_(key, id=iid, first=c.line_of((kind_path, first[iid], "id"))),
                  (kind_path, i, "id"), task=iid if kind_path == "tasks" else None)
        else:
            first[iid] = i
    return set(first)


def _dependency_cycles(c: _Checker, tasks: list, task_ids: set[str]) -> None:
    """Report each dependency cycle once, naming it: a -> b -> c -> a (iterative DFS). A task id
    used twice is one node (its first task's dependencies): the duplicate is its own error."""
    index: dict[str, int] = {}
    for i, t_ in enumerate(tasks):
        index.setdefault(t_["id"], i)
    graph = {tid: [d for d in map(dependency_id, tasks[i].get("depends_on") or []) if d in task_ids and d != tid]
             for tid, i in index.items()}
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
                    deps = [dependency_id(d) for d in tasks[index[first]].get("depends_on")]
                    # ``first`` depends on the next task in the trail; point at that entry
                    nxt = cycle[1] if len(cycle) > 1 else first
                    j = deps.index(nxt) if nxt in deps else 0
                    # The trail reads "depends on" left to right.
                    names = " -> ".join(cycle + [first])
                    c.add("dependency-cycle", M_("check.dependency_cycle", cycle=names),
                          ("tasks", index[first], "depends_on", j), task=first)


# ---------------------------------------------------------------------------------------------
# Entry points

def campaign_locale(data) -> str | None:
    """The ``locale`` a loaded document declares for its campaign, when it is text."""
    campaign = data.get("campaign") if isinstance(data, dict) else None
    locale = campaign.get("locale") if isinstance(campaign, dict) else None
    return locale if isinstance(locale, str) and locale.strip() else None


def message_locale(data, locale: str | None = None, default_locale: str | None = None) -> str:
    """The language of a campaign's messages: ``locale`` (the command's --lang), else the
    campaign's own ``locale``, else ``default_locale`` (ptrack.yaml's), else zh-CN."""
    return normalise_locale(locale or campaign_locale(data) or default_locale)


def schema_diagnostics(error, source: SourceMap, locale: str | None) -> list[Diagnostic]:
    """One jsonschema error as diagnostics in ``locale`` (``schema_messages``)."""
    return [Diagnostic(code, Severity.ERROR, message.text(locale), location, locale=locale)
            for code, message, location in schema_messages(error, source)]


def validate_document(data, source: SourceMap, locale: str | None = None,
                      default_locale: str | None = None) -> list[Diagnostic]:
    """Every problem of one loaded document, sorted by position, said in the command's
    ``locale`` (--lang), else the campaign's, else ``default_locale`` (ptrack.yaml's), else zh-CN."""
    locale = message_locale(data, locale, default_locale)
    if not isinstance(data, dict):
        return [Diagnostic("schema", Severity.ERROR, M_("schema.not_a_mapping", kind=_kind(data)).text(locale),
                           source.locate(()), locale=locale)]
    try:
        _fast_validator()(data)
    except SchemaValueError as exc:
        out = [d for e in _slow_errors(data) for d in schema_diagnostics(e, source, locale)]
        if not out:  # the two validators disagree (should not happen): report the fast one's word
            path = tuple(int(p) if p.isdigit() else p for p in exc.path[1:])
            out = [Diagnostic("schema", Severity.ERROR, exc.message, source.locate(path), locale=locale)]
        return sorted(set(out), key=Diagnostic.sort_key)
    return sorted(_semantic_diagnostics(data, source, locale), key=Diagnostic.sort_key)


def semantic_diagnostics(data: dict, source: SourceMap, locale: str | None = None,
                         default_locale: str | None = None) -> list[Diagnostic]:
    """``validate_document`` for a document known to pass the schema (``task_passes_schema``
    for each task and ``rest_passes_schema`` for the rest): the semantic checks, sorted."""
    locale = message_locale(data, locale, default_locale)
    return sorted(_semantic_diagnostics(data, source, locale), key=Diagnostic.sort_key)


@dataclass
class LoadResult:
    """One campaign file: its diagnostics, and the model when it has no errors."""

    file: str
    diagnostics: list[Diagnostic]
    campaign: Campaign | None = None

    @property
    def ok(self) -> bool:
        return self.campaign is not None


def load_campaign(path: Path | str, policy_defaults: Mapping[str, object] | None = None, *,
                  locale: str | None = None, default_locale: str | None = None) -> LoadResult:
    """Load, validate and build one campaign file. Raises only UsageError (unreadable path).
    Problems are said in ``locale`` (--lang), else the campaign's locale (read from its text
    when it does not parse), else ``default_locale`` (ptrack.yaml's), else zh-CN."""
    file = display_path(path)
    try:
        text = read_text(path, file)
    except YamlProblem as problem:  # too large, not UTF-8...: no text to read a locale from
        return LoadResult(file, [problem_to_diagnostic(problem, file, normalise_locale(locale or default_locale))])
    return _load_text(text, file, policy_defaults, locale, default_locale)


def load_campaign_bytes(raw: bytes, file: str, policy_defaults: Mapping[str, object] | None = None, *,
                        locale: str | None = None, default_locale: str | None = None) -> LoadResult:
    """The same for a version of a file that is not on disk (e.g. read from git history)."""
    try:
        text = decode_bytes(raw)
    except YamlProblem as problem:
        return LoadResult(file, [problem_to_diagnostic(problem, file, normalise_locale(locale or default_locale))])
    return _load_text(text, file, policy_defaults, locale, default_locale)


def _load_text(text: str, file: str, policy_defaults, locale: str | None, default_locale: str | None) -> LoadResult:
    try:
        doc = parse_yaml(text, file)
    except YamlProblem as problem:
        said = normalise_locale(locale or sniff_locale(text) or default_locale)
        return LoadResult(file, [problem_to_diagnostic(problem, file, said)])
    return validate_loaded(doc, policy_defaults, locale=locale, default_locale=default_locale)


def validate_loaded(doc, policy_defaults: Mapping[str, object] | None = None, *, locale: str | None = None,
                    default_locale: str | None = None) -> LoadResult:
    """Validate a loaded document and build its model: what ``ptrack validate`` does with each
    file once it is loaded."""
    diagnostics = document_problems(doc, policy_defaults, locale=locale, default_locale=default_locale)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        return LoadResult(doc.file, diagnostics)
    return LoadResult(doc.file, diagnostics, build_campaign(doc.data, doc.file, doc.source, policy_defaults))


def document_problems(doc, policy_defaults: Mapping[str, object] | None = None, *, locale: str | None = None,
                      default_locale: str | None = None) -> list[Diagnostic]:
    """Every problem ``validate_loaded`` reports for a loaded document, without building its
    model (``ptrack.edit`` checks its results with it)."""
    diagnostics = validate_document(doc.data, doc.source, locale, default_locale)
    if not policy_defaults or any(d.severity is Severity.ERROR for d in diagnostics):
        return diagnostics
    policy = build_policy(doc.data, policy_defaults)
    if policy.deviation_warn > policy.deviation_fail:
        # Each side was valid alone; together (ptrack.yaml's defaults under the campaign's own
        # policy) the warning threshold passes the failing one.
        said = message_locale(doc.data, locale, default_locale)
        at = ("policy",) if "policy" in doc.data else ("campaign",)
        diagnostics.append(Diagnostic(
            "policy", Severity.ERROR,
            t(said, "check.policy_with_defaults", warn=f"{policy.deviation_warn:g}", fail=f"{policy.deviation_fail:g}"),
            doc.source.locate(at, key=True), doc.data["campaign"]["id"], locale=said))
    return diagnostics


# ---------------------------------------------------------------------------------------------
# Several files (the pipeline's first stage; ``ptrack.pipeline`` re-exports these)

def load_all(files: Sequence[Path], config, locale: str | None = None) -> list[LoadResult]:
    """Load every file with the policy defaults of ``config`` (a ``ptrack.config.Config``);
    a campaign id used by an earlier file makes the later file an error. Problems are said in
    ``locale`` (--lang), else each campaign's locale, else ptrack.yaml's."""
    results = [load_campaign(f, config.policy, locale=locale, default_locale=config.locale) for f in files]
    _check_unique_campaign_ids(results, locale)
    return results


def _check_unique_campaign_ids(results: list[LoadResult], locale: str | None = None) -> None:
    seen: dict[str, str] = {}
    for r in results:
        if r.campaign is None:
            continue
        cid = r.campaign.id
        if cid in seen:
            said = normalise_locale(locale or r.campaign.locale)
            r.diagnostics.append(Diagnostic(
                "duplicate-id", Severity.ERROR, t(said, "check.duplicate_campaign", id=cid, file=seen[cid]),
                r.campaign.locate(("campaign", "id")), cid, locale=said))
            r.campaign = None
        else:
            seen[cid] = r.file


def report_locale(results: Sequence[LoadResult], config, locale: str | None = None) -> str:
    """The language of what a command says about several campaigns at once (a summary line):
    ``locale`` (--lang), else ptrack.yaml's, else the first campaign's (its messages' language),
    else zh-CN."""
    if locale or config.locale:
        return normalise_locale(locale or config.locale)
    for r in results:
        if r.diagnostics:
            return normalise_locale(r.diagnostics[0].locale)
        if r.campaign is not None:
            return normalise_locale(r.campaign.locale)
    return normalise_locale(None)


def validate_files(files: Sequence[Path], config, locale: str | None = None) -> CheckReport:
    results = load_all(files, config, locale)
    return CheckReport([FileResult(r.file, r.diagnostics, r.campaign.id if r.campaign else None) for r in results],
                       locale=report_locale(results, config, locale))
