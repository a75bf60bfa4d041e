"""An editor building a whole guide in the admin's guide workspace, counted as issue 16 counts it.

The browser test (tests/test_build_guide_in_browser.py) and `make bench-editor` drive the same steps:
sign in, "Add guide", type the guide with its causes, fix steps, questions and FAQ on one page, save,
set the fix steps x causes grid (with the checklist) and the answers x causes grid, then publish.

What counts, from Playwright's own events and calls:

* a **page load** is every navigation of the main frame (``framenavigated``: a link, a form's POST and
  its redirect together are one), every htmx request (``request`` with an ``HX-Request`` header,
  such as a Markdown preview) and every pop-up window opened (the admin's "+" pop-ups);
* a **click** is every click the editor makes with the mouse: a link, a button, an "Add another"
  handler, a checkbox, a grid cell, a collapsed section opened. Typing into a field is not a click
  (``fields`` counts those: an editor tabs from field to field);
* a **pick** is every option chosen from a dropdown (``<select>``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Locator, Page, Request

TIMES = "\N{MULTIPLICATION SIGN}"  # the grids' links: "Fix steps x causes"
# The budget: at most 15 page loads, and a third of the audit's 490 clicks and 102 picks.
BUDGET = {"loads": 15, "clicks": 163, "picks": 34}


@dataclass
class Tally:
    """What the editor spent, as the module docstring defines it; ``steps`` names what each load was."""

    loads: int = 0
    htmx: int = 0
    clicks: int = 0
    picks: int = 0
    fields: int = 0
    steps: list[str] = field(default_factory=list)
    by_step: dict[str, dict[str, int]] = field(default_factory=dict)
    _step: str = "start"

    def watch(self, page: Page) -> None:
        page.on("framenavigated", lambda frame: frame == page.main_frame and self._load(f"page {frame.url}"))
        page.on("request", self._request)
        page.context.on("page", lambda popup: self._load(f"pop-up window {popup.url}"))  # a "+" pop-up is a page too

    def _request(self, request: Request) -> None:
        if request.headers.get("hx-request") == "true":
            self.htmx += 1
            trigger = request.headers.get("hx-trigger-name")
            self._load(f"htmx {request.method} {request.url}" + (f" (from {trigger})" if trigger else ""))

    def _load(self, what: str) -> None:
        self.loads += 1
        self.steps.append(f"{self._step}: {what}")
        self._count("loads")

    def _count(self, kind: str) -> None:
        self.by_step.setdefault(self._step, {"loads": 0, "clicks": 0, "picks": 0, "fields": 0})[kind] += 1

    def step(self, name: str) -> None:
        """Name what the editor does next, so the figures can say which step costs what."""
        self._step = name

    def click(self, locator: Locator) -> None:
        self.clicks += 1
        self._count("clicks")
        locator.click()

    def pick(self, locator: Locator, value: str) -> None:
        self.picks += 1
        self._count("picks")
        locator.select_option(value)

    def fill(self, locator: Locator, text: str) -> None:
        self.fields += 1
        self._count("fields")
        locator.fill(text)

    def figures(self) -> dict[str, int]:
        return {
            "loads": self.loads,
            "htmx": self.htmx,
            "clicks": self.clicks,
            "picks": self.picks,
            "fields": self.fields,
        }

    def within_budget(self) -> bool:
        return all(self.figures()[kind] <= most for kind, most in BUDGET.items())


def report(tally: Tally) -> str:
    """The figures against the budget, then step by step: what the bench prints and the test shows on failure."""
    figures = tally.figures()
    lines = ["Building the WhatsApp guide in the admin (6 causes, 11 symptoms, 11 fix steps, 3 questions):", ""]
    lines.append(f"  {'':24} {'spent':>6} {'budget':>7}")
    for kind in ("loads", "clicks", "picks"):
        lines.append(f"  {kind:24} {figures[kind]:>6} {BUDGET[kind]:>7}")
    lines.append(f"  {'  of the loads, htmx':24} {figures['htmx']:>6}")
    lines.append(f"  {'fields typed':24} {figures['fields']:>6}")
    lines += ["", "  Step by step (loads / clicks / picks / fields):"]
    for step, spent in tally.by_step.items():
        lines.append(f"    {step:40} {spent['loads']:>3} {spent['clicks']:>4} {spent['picks']:>3} {spent['fields']:>4}")
    lines += ["", "  The page loads, in order:", *(f"    {n}. {what}" for n, what in enumerate(tally.steps, start=1))]
    return "\n".join(lines)


def build_guide(page: Page, base_url: str, username: str, password: str, guide: dict) -> Tally:
    """Build and publish ``guide`` (content-file data, bench/whatsapp_guide.py) as the editor would."""
    tally = Tally()
    tally.watch(page)
    tally.step("sign in")
    page.goto(f"{base_url}/admin/")
    tally.fill(page.get_by_label("Username"), username)
    tally.fill(page.get_by_label("Password"), password)
    tally.click(page.get_by_role("button", name="Log in"))
    page.wait_for_load_state()
    tally.step("add guide")
    tally.click(page.locator('a[href$="/guides/guide/add/"]').first)
    page.wait_for_load_state()
    type_guide(page, tally, guide)
    tally.step("save the new guide")
    tally.click(page.locator('input[name="_continue"]').first)
    page.wait_for_load_state()
    set_fix_grid(page, tally, guide)
    set_effect_grid(page, tally, guide)
    publish(page, tally)
    return tally


def type_guide(page: Page, tally: Tally, guide: dict) -> None:
    """The add page: the guide's own fields, then every cause, fix step, question and FAQ entry in its inline."""
    tally.step("type the guide")
    for name in ("title", "summary", "introduction", "conclusion", "support"):
        tally.fill(page.locator(f"#id_{name}"), guide[name])
    page.wait_for_timeout(600)  # the live previews wait 400 ms: their loads belong to this step, not the next
    symptoms = symptoms_by_cause(guide)
    tally.step("type the causes")
    for i, cause in enumerate(guide["causes"]):
        type_cause(page, tally, i, cause, symptoms[cause["slug"]])
    tally.step("type the fix steps")
    for i, step in enumerate(guide["fix_steps"]):
        type_fix_step(page, tally, i, step)
    tally.step("type the questions")
    for i, question in enumerate(guide["questions"]):
        type_question(page, tally, i, question)
    tally.step("type the FAQ")
    for i, entry in enumerate(guide["faq"]):
        add_another(page, tally, "faqentry")
        tally.fill(page.locator(f'[name="faq_entries-{i}-question"]'), entry["question"])
        tally.fill(page.locator(f'[name="faq_entries-{i}-answer"]'), entry["answer"])


def symptoms_by_cause(guide: dict) -> dict[str, list[str]]:
    """Each cause's symptom lines: a symptom of two causes is typed under both, and the workspace makes it once."""
    lines = {cause["slug"]: [] for cause in guide["causes"]}
    for symptom in guide["symptoms"]:
        for cause in symptom["causes"]:
            lines[cause].append(symptom["title"])
    return lines


def add_another(page: Page, tally: Tally, model: str, within: str = "") -> None:
    """Click an inline's "Add another …" (nested_admin's handler for that model; inside ``within`` if given)."""
    scope = page.locator(within) if within else page
    tally.click(scope.locator(f".djn-add-handler.djn-model-guides-{model}").last)


def type_cause(page: Page, tally: Tally, i: int, cause: dict, symptom_lines: list[str]) -> None:
    add_another(page, tally, "cause")
    field = _inline_field(page, "causes", i)
    tally.fill(field("title"), cause["title"])
    tally.fill(field("summary"), cause["summary"])
    tally.fill(field("explanation"), cause.get("explanation", ""))
    tally.fill(field("symptom_lines"), "\n".join(symptom_lines))
    if cause.get("commonness", "common") != "common":
        tally.pick(field("commonness"), _commonness_value(cause["commonness"]))
    if cause.get("explains"):
        tally.click(page.locator(f"#causes-{i} details summary, #causes-{i} .collapse-toggle").first)
        tally.click(field("explains"))
        for name in ("what_is_happening", "what_you_can_do", "where_to_get_help"):
            if cause.get(name):
                tally.fill(field(name), cause[name])


def type_fix_step(page: Page, tally: Tally, i: int, step: dict) -> None:
    add_another(page, tally, "fixstep")
    field = _inline_field(page, "fix_steps", i)
    tally.fill(field("title"), step["title"])
    tally.fill(field("instructions"), step["instructions"])
    if step.get("minutes", 2) != 2:
        tally.fill(field("minutes"), str(step["minutes"]))
    for name in ("where", "android", "iphone"):
        if step.get(name):
            tally.fill(field(name), step[name])
    if step.get("kind", "do_now") != "do_now":
        tally.pick(field("kind"), step["kind"])
    if step.get("risky"):
        tally.click(field("risky"))


def type_question(page: Page, tally: Tally, i: int, question: dict) -> None:
    add_another(page, tally, "question")
    field = _inline_field(page, "questions", i)
    tally.fill(field("text"), question["text"])
    if question.get("help"):
        tally.fill(field("help_text"), question["help"])
    if question.get("effort", "in_app") != "in_app":
        tally.pick(field("effort"), question["effort"])
    for j, answer in enumerate(question["answers"]):
        add_another(page, tally, "answer", within=f"#questions-{i}")
        tally.fill(page.locator(f'#questions-{i} [name$="answers-{j}-text"]'), answer["text"])


def _inline_field(page: Page, prefix: str, i: int):
    return lambda name: page.locator(f'[name="{prefix}-{i}-{name}"]')


def _commonness_value(word: str) -> str:
    from guides.models import Commonness

    return str(Commonness[word.upper()].value)


def _grid_cell(page: Page, row_title: str, cause_title: str) -> Locator:
    """The cell of a grid at a row's heading and a cause's column, found as the editor finds it: by the words."""
    headings = [text.strip() for text in page.locator("table.grid-table thead th").all_text_contents()]
    causes = [text for text in headings if text not in ("Fix step", "Checklist position", "Answer")]
    row = page.locator("table.grid-table tbody tr").filter(
        has=page.locator("th[scope=row]", has_text=row_title)
    )  # fmt: skip
    return row.locator("td.grid-cell").nth(causes.index(cause_title))


def _click_word(page: Page, tally: Tally, cell: Locator, value: str) -> None:
    tally.click(cell.locator("label.grid-choice").filter(has=page.locator(f'input[value="{value}"]')))


def set_fix_grid(page: Page, tally: Tally, guide: dict) -> None:
    """Fix steps x causes: a click per link, and the checklist's positions typed in their column."""
    tally.step("open the fix grid")
    tally.click(page.get_by_role("link", name=f"Fix steps {TIMES} causes"))
    page.wait_for_load_state()
    tally.step("set the fix grid")
    steps = {step["slug"]: step["title"] for step in guide["fix_steps"]}
    for cause in guide["causes"]:
        for slug, efficacy in cause.get("fixes", {}).items():
            _click_word(page, tally, _grid_cell(page, steps[slug], cause["title"]), efficacy)
    for position, slug in enumerate(guide["checklist"], start=1):
        row = page.locator("table.grid-table tbody tr").filter(has=page.locator("th[scope=row]", has_text=steps[slug]))
        tally.fill(row.locator("input.grid-position"), str(position))
    tally.step("save the fix grid")
    tally.click(page.locator('input[name="_save"]'))
    page.wait_for_load_state()


def set_effect_grid(page: Page, tally: Tally, guide: dict) -> None:
    """Answers x causes: a click per answer effect."""
    tally.step("open the effect grid")
    tally.click(page.get_by_role("link", name=f"Answers {TIMES} causes"))
    page.wait_for_load_state()
    tally.step("set the effect grid")
    causes = {cause["slug"]: cause["title"] for cause in guide["causes"]}
    for question in guide["questions"]:
        for answer in question["answers"]:
            for cause, strength in answer["effects"].items():
                _click_word(page, tally, _grid_cell(page, answer["text"], causes[cause]), strength)
    tally.step("save the effect grid")
    tally.click(page.locator('input[name="_save"]'))
    page.wait_for_load_state()


def publish(page: Page, tally: Tally) -> None:
    """Tick Published and save; a guide with warnings asks once, and "Publish" confirms it."""
    tally.step("publish")
    tally.click(page.locator("#id_published"))
    tally.click(page.locator('input[name="_continue"]').first)
    page.wait_for_load_state()
    if "/publish/" in page.url:
        tally.step("confirm the warnings")
        tally.click(page.locator("#content-main").get_by_role("button", name=re.compile("^Publish")).first)
        page.wait_for_load_state()
