"""The feedback report's two buttons about learned numbers: "Relearn now", and "Accept" on one number.

Accepting is an edit like any other: the cause's commonness or the link's efficacy is saved through its
model (so the content version changes and the troubleshooter's snapshots are rebuilt), in a reversion
revision whose comment carries the evidence, so History shows who accepted what, and on what grounds.
Both are POST only, with CSRF (the admin's), and need the right to change the guide or the content.
"""

import reversion
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from guides.feedback.learned_report import move_of
from guides.learned_numbers import commonness_of, word_label
from guides.learning import relearn
from guides.models import CauseFix, Guide, LearnedNumber

EN_DASH = "\u2013"


def _report_url(guide: Guide) -> str:
    return reverse("admin:guides_guide_report", args=[guide.pk]) + "#learned-numbers"


@require_POST
def relearn_view(request, pk: int):
    guide = get_object_or_404(Guide, pk=pk)
    if not request.user.has_perm("guides.change_guide"):
        raise PermissionDenied
    done = relearn(guide)
    messages.success(request, f"Learned {done.numbers} numbers from {done.records:,} answers.")
    return redirect(_report_url(guide))


@require_POST
def accept_view(request, pk: int, number: int):
    """Put one learned number's word into the content, recorded in History with its evidence."""
    guide = get_object_or_404(Guide, pk=pk)
    learned = get_object_or_404(LearnedNumber.objects.select_related("cause", "fix_step"), pk=number, guide=guide)
    cause = learned.cause
    if not request.user.has_perm("guides.change_cause" if learned.fix_step_id is None else "guides.change_causefix"):
        raise PermissionDenied
    if learned.fix_step_id is None:
        what, edited = f"how common “{cause.title}” is", cause
    else:
        what = f"how often “{learned.fix_step.title}” fixes “{cause.title}”"
        edited = get_object_or_404(CauseFix, cause=cause, fix_step=learned.fix_step_id)
    move = move_of(guide, learned)
    if move is None:
        raise Http404("Staff removed this link since it was learned")
    staff, word = move.staff_word, move.learned_word
    if staff == word:
        messages.info(request, f"Staff's word for {what} is already “{word_label(word)}”. Nothing was changed.")
        return redirect(_report_url(guide))
    comment = _comment(learned, staff, word)
    with transaction.atomic(), reversion.create_revision():
        if learned.fix_step_id is None:
            edited.commonness = commonness_of(word)
            edited.save(update_fields=["commonness", "updated_at"])
        else:
            edited.efficacy = word
            edited.save(update_fields=["efficacy"])
            reversion.add_to_revision(cause)  # the cause's History shows it: a cause's version carries its links
        reversion.set_user(request.user)
        reversion.set_comment(comment)
        LearnedNumber.objects.filter(pk=learned.pk).update(staff_word=word)
    messages.success(request, f"Changed {what}. {comment}")
    return redirect(_report_url(guide))


def _comment(learned: LearnedNumber, staff: str, word: str) -> str:
    """The evidence, for History, such as:

    Accepted the learned number: 'Often' → 'Sometimes' (0.28, 0.21-0.35, from 640 visitors)

    with an en dash in the interval, as the report shows it.
    """
    target = f" for “{learned.fix_step.title}”" if learned.fix_step_id else ""
    return (
        f"Accepted the learned number{target}: '{word_label(staff)}' → '{word_label(word)}' "
        f"({learned.value:.2f}, {learned.low:.2f}{EN_DASH}{learned.high:.2f}, "
        f"from {round(learned.visitors):,} visitors)"
    )
