"""Letter templates: finding the files (built-in and the user's), reading their headers, and
the Jinja2 sandbox they render in. A broken template is reported with its file and line.
"""

from __future__ import annotations

import ctypes
import re
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from core.documents.wording import LANGUAGES
from core.domain.errors import DocketError, NotFoundError
from core.store.store import Store

RECIPIENTS = ("company", "card_issuer", "regulator", "platform")


# The 27 member states by ISO 3166 code, with EL (the EU's own code for Greece) and EU itself
# (a case filed under EU law in general).
EU_MEMBERS = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "HU", "EU",
})


def country_of(jurisdiction: str | None) -> str:
    """The country part of a jurisdiction: ``US-CA`` -> ``US``; ``GB-SCT`` stays as it is,
    because Scotland's courts are not England's."""
    code = (jurisdiction or "").upper().strip()
    if code.startswith("GB-"):
        return code
    return code.split("-", 1)[0]


ANY = "any"


_HEADER = re.compile(r"\A\s*\{#(.*?)#\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class LetterTemplate:
    """One template file in one language."""

    id: str
    title: str
    step: str
    jurisdictions: tuple[str, ...]
    response_days: int
    language: str
    recipient: str
    filename: str  # what the user sees in messages: the file's path
    name: str  # the loader's name for it
    user: bool  # from the user's templates folder
    demand: bool = False  # asks for money: refused when nothing is outstanding

    def applies_to(self, jurisdiction: str) -> bool:
        """Whether this template claims to suit a case in ``jurisdiction`` (a country code)."""
        if ANY in self.jurisdictions or not jurisdiction:
            return True
        code = jurisdiction.upper()
        country = country_of(code)
        return (code in self.jurisdictions or country in self.jurisdictions
                or ("EU" in self.jurisdictions and country in EU_MEMBERS))


def _parse_header(source: str, filename: str) -> dict[str, str]:
    match = _HEADER.match(source)
    if not match:
        raise DocketError(f"Letter template {filename} line 1: it must start with a header comment "
                          "{# id: ..., title: ..., language: ... #}")
    values: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            values[key.strip().lower()] = value.strip()
    for key in ("id", "title", "language"):
        if not values.get(key):
            raise DocketError(f"Letter template {filename} line 1: the header has no '{key}:'")
    return values


def _template_from(source: str, filename: str, name: str, user: bool) -> LetterTemplate:
    head = _parse_header(source, filename)
    if not re.fullmatch(r"[a-z0-9_]{1,80}", head["id"]):
        raise DocketError(f"Letter template {filename} line 1: id {head['id']!r} may only hold a-z, 0-9 and _")
    try:
        days = int(head.get("response_days", "14"))
    except ValueError:
        raise DocketError(f"Letter template {filename} line 1: response_days must be a whole number") from None
    if not 1 <= days <= 365:
        raise DocketError(f"Letter template {filename} line 1: response_days must be 1 to 365")
    recipient = head.get("recipient", "company")
    if recipient not in RECIPIENTS:
        raise DocketError(f"Letter template {filename} line 1: recipient must be one of {', '.join(RECIPIENTS)}")
    jurisdictions = tuple(j.strip().upper() if j.strip().lower() != ANY else ANY
                          for j in head.get("jurisdictions", ANY).split(",") if j.strip()) or (ANY,)
    return LetterTemplate(
        id=head["id"], title=head["title"], step=head.get("step", ""), jurisdictions=jurisdictions,
        response_days=days, language=head["language"].lower(), recipient=recipient,
        filename=filename, name=name, user=user,
        demand=head.get("demand", "no").strip().lower() in ("yes", "true"),
    )


@dataclass
class _Sources:
    """Every template file, built-in then the user's (which win on the same name)."""

    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (source, filename)
    user_names: set[str] = field(default_factory=set)


def _read_sources(store: Store | None) -> _Sources:
    found = _Sources()
    root = files("resources").joinpath("letters")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".j2"):
            found.texts[entry.name] = (entry.read_text(encoding="utf-8"), f"resources/letters/{entry.name}")
    user_dir = store.templates_dir if store is not None else None
    if user_dir is not None and user_dir.is_dir():
        for path in sorted(user_dir.glob("*.j2")):
            try:
                source = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise DocketError(f"Letter template {path}: cannot be read ({exc})") from None
            found.texts[path.name] = (source, str(path))
            found.user_names.add(path.name)
    return found


def _scan(store: Store | None) -> tuple[list[LetterTemplate], list[str]]:
    sources = _read_sources(store)
    chosen: dict[tuple[str, str], LetterTemplate] = {}
    problems: list[str] = []
    for name, (source, filename) in sources.texts.items():
        if name.startswith("_"):
            continue
        try:
            tpl = _template_from(source, filename, name, name in sources.user_names)
        except DocketError as exc:
            problems.append(str(exc))
            continue
        key = (tpl.id, tpl.language)
        # A user file overrides a built-in one with the same id and language, whatever its name.
        if key not in chosen or tpl.user:
            chosen[key] = tpl
    order = sorted(chosen.values(), key=lambda t: (t.id, LANGUAGES.index(t.language) if t.language in LANGUAGES else 99))
    return order, problems


def list_templates(store: Store | None) -> list[LetterTemplate]:
    """Every letter template, one per id and language, the user's overriding built-in ones.

    Files whose names start with ``_`` are shared layout pieces, not letters. A user's file
    with a broken header is left out (see :func:`template_problems`), so that one bad file
    does not stop every letter.
    """
    return _scan(store)[0]


def template_problems(store: Store | None) -> list[str]:
    """What is wrong with the user's template files that :func:`list_templates` left out:
    one message per file, naming it and the line."""
    return _scan(store)[1]


def template_titles(templates: Iterable[LetterTemplate], language: str) -> dict[str, str]:
    """Each template id's title as a list of letters shows it to someone reading ``language``
    (the window's): the title of the template in that language when it exists ("Mise en
    demeure"), else the English one, else the first there is. In the templates' order."""
    out: dict[str, str] = {}
    by_id: dict[str, dict[str, str]] = {}
    for tpl in templates:
        by_id.setdefault(tpl.id, {})[tpl.language] = tpl.title
    for tpl_id, titles in by_id.items():
        out[tpl_id] = titles.get(language) or titles.get("en") or next(iter(titles.values()))
    return out


def find_template(store: Store | None, template_id: str, language: str = "en") -> LetterTemplate:
    """The template ``template_id`` in ``language`` or a clear error naming what exists."""
    templates, problems = _scan(store)
    for tpl in templates:
        if tpl.id == template_id and tpl.language == language:
            return tpl
    languages = [t.language for t in templates if t.id == template_id]
    if languages:
        raise NotFoundError(f"Letter template {template_id!r} has no {language!r} version; "
                            f"it exists in: {', '.join(languages)}.")
    ids = sorted({t.id for t in templates})
    note = (" Some template files could not be read: " + " ".join(problems)) if problems else ""
    raise NotFoundError(f"There is no letter template {template_id!r}. Templates: {', '.join(ids)}.{note}")


class _Loader(BaseLoader):
    def __init__(self, sources: _Sources) -> None:
        self.sources = sources

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources.texts:
            raise TemplateNotFound(template)
        source, filename = self.sources.texts[template]
        return source, filename, lambda: True


# Limits on one render. A template is a small program the user (or someone who sent them a
# file) wrote: it must not hang the window, fill the disk or exhaust memory.
RENDER_SECONDS = 2.0
RENDER_CHARS = 1_000_000  # about 1 MB of letter: hundreds of pages
VALUE_CHARS = 1_000_000  # no string or list a template builds may grow past this


class RenderLimit(SecurityError):
    """A render went past a limit (time, output size, size of a value)."""


class _Budget:
    """The running render's deadline, checked wherever the sandbox sees the template act."""

    def __init__(self) -> None:
        self.deadline = float("inf")

    def check(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimit(f"it ran longer than {RENDER_SECONDS:g} seconds and was stopped")


_BUDGET = threading.local()


def _budget() -> _Budget:
    budget = getattr(_BUDGET, "value", None)
    if budget is None:
        budget = _BUDGET.value = _Budget()
    return budget


def _sized(value: Any) -> Any:
    if isinstance(value, (str, list, tuple, dict)) and len(value) > VALUE_CHARS:
        raise RenderLimit("it built a value too large for a letter")
    return value


class _LetterEnvironment(SandboxedEnvironment):
    """The sandbox, also refusing arithmetic that would build huge strings or numbers, and
    checking the render's time and the size of what it builds at every step it sees."""

    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _budget().check()
        if operator == "**" and isinstance(right, int) and right > 100:
            raise SecurityError("exponents above 100 are not allowed in a letter template")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > 100_000:
                    raise SecurityError("that repetition would make a text too long for a letter")
        return _sized(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().check()
        return _sized(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().check()
        return _sized(super().getitem(obj, argument))

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _budget().check()
        return _sized(super().call(__context, __obj, *args, **kwargs))


def _stop_thread(thread: threading.Thread) -> None:
    """Raise RenderLimit inside a render thread that ran past its time (a loop that calls
    nothing the sandbox sees); Python stops it at its next bytecode."""
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(RenderLimit))


def render_limited(render: Callable[[], Iterator[str]]) -> str:
    """Run ``render`` (a generator of output chunks) on its own thread within the limits:
    :data:`RENDER_SECONDS` of time, :data:`RENDER_CHARS` of output, no value larger than
    :data:`VALUE_CHARS`. Returns the output; raises :class:`RenderLimit` past a limit and
    re-raises the template's own error."""
    result: list[str] = []
    failure: list[BaseException] = []

    def work() -> None:
        budget = _budget()
        budget.deadline = time.monotonic() + RENDER_SECONDS
        size = 0
        try:
            for chunk in render():
                size += len(chunk)
                if size > RENDER_CHARS:
                    raise RenderLimit(f"its output passed {RENDER_CHARS:,} characters and was stopped")
                result.append(chunk)
                budget.check()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            if isinstance(exc, RenderLimit) and not exc.message:  # raised from outside by _stop_thread
                exc = RenderLimit(f"it ran longer than {RENDER_SECONDS:g} seconds and was stopped")
            failure.append(exc)
        finally:
            budget.deadline = float("inf")

    thread = threading.Thread(target=work, name="docket-letter-render", daemon=True)
    thread.start()
    thread.join(RENDER_SECONDS + 0.5)
    if thread.is_alive():
        _stop_thread(thread)
        thread.join(2.0)
        if not failure:
            failure.append(RenderLimit(f"it ran longer than {RENDER_SECONDS:g} seconds and was stopped"))
    if failure:
        raise failure[0]
    return "".join(result)


_ENVIRONMENTS: dict[int, SandboxedEnvironment] = {}


def _environment(sources: _Sources) -> SandboxedEnvironment:
    """A sandbox for these template files; kept while the files are unchanged, so the editor
    does not compile every template again each time a box is ticked."""
    key = hash(tuple(sorted(sources.texts.items())))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        if len(_ENVIRONMENTS) >= 4:
            _ENVIRONMENTS.pop(next(iter(_ENVIRONMENTS)))
        env = _ENVIRONMENTS[key] = _new_environment(sources)
    return env


def _new_environment(sources: _Sources) -> SandboxedEnvironment:
    env = _LetterEnvironment(loader=_Loader(sources), autoescape=True, undefined=StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)
    env.filters["br"] = _join_lines
    env.filters["sentence"] = _sentence
    return env


def _sentence(value: Any) -> Any:
    """End a fact the user typed with exactly one full stop (a marker is left as it is)."""
    if isinstance(value, Markup) and "background-color:#ffe08a" in value:  # a [missing: ...] marker
        return value
    out = str(value).strip()
    return out if not out or out.endswith((".", "!", "?", "…")) else out + "."


def _join_lines(lines: Iterable[Any]) -> Markup:
    return Markup("<br>").join(escape(line) for line in lines if line)


def _template_line(exc: BaseException, filenames: set[str]) -> tuple[str, int | None]:
    """Where in a template file an error happened, from the traceback Jinja rewrites."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in filenames:
            return frame.filename, frame.lineno
    return "", None


def _template_error(exc: BaseException, tpl: LetterTemplate, sources: _Sources) -> DocketError:
    if isinstance(exc, TemplateSyntaxError):
        where = exc.filename or tpl.filename
        return DocketError(f"Letter template {where} line {exc.lineno}: {exc.message}")
    filename, line = _template_line(exc, {f for _, f in sources.texts.values()})
    where = f"{filename or tpl.filename}" + (f" line {line}" if line else "")
    if isinstance(exc, RenderLimit):
        return DocketError(f"Letter template {where}: {exc}. Other letters are not affected.")
    if isinstance(exc, SecurityError):
        return DocketError(f"Letter template {where}: not allowed in a template: {exc}")
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return DocketError(f"Letter template {where}: {message}")

