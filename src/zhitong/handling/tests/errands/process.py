"""The errands' adapter: what each handling act means for an errand."""

from zhitong.core.roles import Role
from zhitong.handling.registry import Act, Process
from zhitong.handling.tests.errands.models import Errand


class ErrandProcess(Process):
    name = "errands"
    label = "测试事项"
    model = Errand
    back_to_back = True
    result_classes = ("A", "B", "C", "D")

    def may(self, user, act, obj, assignment):
        if act in (Act.ACCEPT, Act.RETURN, Act.REPLY, Act.EXTENSION_REQUEST):
            return user.has_perm("handling.handle_assignment", assignment)
        if act == Act.RATE:
            return user.pk == obj.rater_id
        return getattr(user, "role", None) == Role.STAFF

    def can(self, act, obj, assignment):
        return obj.state == Errand.State.OPEN

    def moved(self, obj, act, assignment, **details):
        from zhitong.handling.services import sync_open_dates

        if act == Act.RATE and details.get("score") != "unsatisfied":
            obj.state = Errand.State.DONE
            obj.save(update_fields=["state"])
        if assignment is not None and assignment.role == "lead":
            sync_open_dates(obj)

    def url(self, obj):
        return f"/errands/{obj.pk}/"
