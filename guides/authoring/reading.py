"""Reading a YAML content file safely, and saying where in it a problem sits.

The size is capped before parsing, YAML anchors and aliases are refused before composing
(a few hundred bytes of them expand to gigabytes), nesting is bounded, and keys must be
plain and unique. Every value's line is recorded by its path, so a problem found later,
by the schema or by the loader, names the file and the line: "tiktok-messages.yaml,
line 42: causes[3].commonness: ...".
"""

from dataclasses import dataclass, field
from pathlib import Path

import yaml

# The bundled guide is 60 KB; reading and checking a 2 MB file takes about half a second.
MAX_FILE_BYTES = 2 * 1024 * 1024
# The format nests six levels deep; far deeper nesting is an attack on the parser, not a guide.
MAX_DEPTH = 20
# More messages than this help nobody: the first ones usually explain the rest.
MAX_MESSAGES = 50


class ContentError(ValueError):
    """A content file is not usable; each message says where and why."""

    def __init__(self, messages: str | list[str]):
        messages = [messages] if isinstance(messages, str) else list(messages)
        if len(messages) > MAX_MESSAGES:
            messages = [*messages[:MAX_MESSAGES], f"... and {len(messages) - MAX_MESSAGES} more problems"]
        self.messages = messages
        super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class Source:
    """Where a guide's data came from: the file's name and the line of each value in it."""

    name: str = ""
    lines: dict[tuple, int] = field(default_factory=dict)

    def line(self, path: tuple) -> int | None:
        """The line of the value at `path`, else of the closest value around it."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def locate(self, path: tuple, message: str) -> str:
        """The message, preceded by the file, line and path it is about."""
        where = [part for part in (self.name, self.name and f"line {self.line(path) or 1}") if part]
        text = format_path(path)
        return ", ".join(where) + (": " if where else "") + (f"{text}: " if text else "") + message


def format_path(path: tuple) -> str:
    """`("causes", 3, "commonness")` as `causes[3].commonness`."""
    text = ""
    for part in path:
        text += f"[{part}]" if type(part) is int else f".{part}" if text else str(part)
    return text


# ------------------------------------------------------------------------------------
# Reading YAML


class _ContentLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader, saying at which line a value it cannot build sits."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:  # e.g. a date such as 2026-13-45, or a 5000-digit number
            problem = f"cannot read {node.value!r:.60}: {error}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from error


def _refuse_anchors_and_depth(text: str, name: str) -> None:
    """Check the parser's events before anything is composed: no anchors or aliases, no deep nesting."""
    depth = 0
    for event in yaml.parse(text, Loader=_ContentLoader):
        line = event.start_mark.line + 1
        if getattr(event, "anchor", None) is not None:
            raise ContentError(
                f"{name}, line {line}: YAML anchors and aliases (&{event.anchor}, *{event.anchor}) are not allowed. "
                "Write the value out in full."
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ContentError(f"{name}, line {line}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _walk(loader, node, path: tuple, lines: dict, problems: list) -> None:
    """Record the line of every value by its path, and refuse keys that are not plain or that repeat."""
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), lines, problems)
    elif isinstance(node, yaml.MappingNode):
        seen = {}
        for key_node, value in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append((path, line, "merge keys (<<) are not allowed: write the keys out in full"))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append((path, line, "a key must be a plain word, not a list or a mapping"))
                continue
            key = loader.construct_object(key_node)
            if key in seen:
                problems.append(((*path, key), line, f"the key {key_node.value!r} is already used on line {seen[key]}"))
                continue
            seen[key] = lines[(*path, key)] = line
            _walk(loader, value, (*path, key), lines, problems)


def read_yaml(path: Path) -> tuple[object, Source]:
    """The data of a YAML file, and where each value sits in it; refuse what is too big or unsafe to parse."""
    name = path.name
    try:
        size = path.stat().st_size
        if size <= MAX_FILE_BYTES:
            with path.open("rb") as file:
                raw = file.read(MAX_FILE_BYTES + 1)  # a pipe or device reports no size
            size = len(raw)
    except OSError as error:
        raise ContentError(f"{name}: cannot be read: {error.strerror or error}") from error
    if size > MAX_FILE_BYTES:
        raise ContentError(
            f"{name}: is {size / 1024 / 1024:.1f} MB; a content file may be at most {MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ContentError(f"{name}, line {line}: is not UTF-8 text; save the file as UTF-8") from error

    lines, problems = {(): 1}, []
    try:
        _refuse_anchors_and_depth(text, name)
        loader = _ContentLoader(text)
        try:
            node = loader.get_single_node()
            data = None
            if node is not None:
                _walk(loader, node, (), lines, problems)
                if not problems:
                    data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as error:  # a NUL byte or another control character YAML may not hold
        line = text[: error.position].count("\n") + 1
        code = error.character if isinstance(error.character, int) else None
        what = f"the control character U+{code:04X}" if code is not None else "a control character"
        what = "a NUL byte" if code == 0 else what
        raise ContentError(f"{name}, line {line}: holds {what}, which a content file may not: remove it") from error
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        detail = "; ".join(part for part in (error.context, error.problem) if part)
        raise ContentError(f"{name}, line {mark.line + 1 if mark else 1}: not valid YAML: {detail}") from error
    except yaml.YAMLError as error:
        raise ContentError(f"{name}: not valid YAML: {error}") from error
    if problems:
        raise ContentError([Source(name, {where: line}).locate(where, words) for where, line, words in problems])
    return data, Source(name, lines)
