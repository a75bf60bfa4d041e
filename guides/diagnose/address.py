"""The names of the troubleshooter's address parameters, in one place.

A visitor's whole state is in the address (``?age=new&failed=clear-cache&platform=iphone``): each
answer is a pair named after its question, so no question may take a parameter's name as its slug,
or its answer would be read as that parameter. The slugs reserved for that follow from this list.
"""

from guides import engine

# What to show, not what the visitor told us.
ASK = "ask"  # an earlier question asked again, to change its answer
FIXED = "fixed"  # the "it works now" screen after this fix step
EXPLAINED = "explained"  # the "that explains it" screen for this explanation cause
PLATFORM = "platform"  # "android" or "iphone": which phone's instructions come first
VIEW_PARAMETERS = frozenset({ASK, EXPLAINED, FIXED, PLATFORM})

# What the visitor told us besides answers, in the engine's words: a step that did not fix it, a
# step they could not do, a symptom they see, an explanation that was not it.
EVIDENCE_PARAMETERS = frozenset({engine.FAILED, engine.COULDNT, engine.SEEN, engine.NOT_IT})

RESERVED_QUESTION_SLUGS = VIEW_PARAMETERS | EVIDENCE_PARAMETERS
