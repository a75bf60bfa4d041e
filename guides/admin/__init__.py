"""Staff edit every word here. History, diffs and recovery of deleted objects come from django-reversion.

guide: a guide's page, the workspace for the whole guide (workspace: its overview; workspace_inlines: the
guide's parts edited there; symptom_lines: symptoms typed one per line); content: the page of each other
content model; inlines: the parts edited on their owner's page; history: restoring one object from History;
markdown: the Markdown textarea and its preview; feedback: what visitors reported, read-only.
"""

from guides.admin import content, feedback, guide  # noqa: F401  (registers the admin pages)
