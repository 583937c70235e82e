"""The to-do list of a home page (我的待办): the open tasks of the notification centre, as a
template tag so the homes (accounts, below notifications) need not import this app."""

from django import template

from zhitong.notifications.selectors import open_tasks

# Tasks listed on a home; the centre's 待办 tab has them all.
HOME_TASKS = 5

register = template.Library()


@register.inclusion_tag("notifications/_home_tasks.html", takes_context=True)
def open_task_list(context):
    user = context["user"]
    rows = list(open_tasks(user)[: HOME_TASKS + 1])
    return {"tasks": rows[:HOME_TASKS], "more": len(rows) > HOME_TASKS}
