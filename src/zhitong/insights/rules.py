"""Who may see the router's versions, retrain it, and set a district's auto-routing.

- insights.view_router     the versions and their figures: committee staff, leaders, admins
- insights.retrain_router  start a retraining: committee staff and admins
- insights.change_routing  a district's auto-routing (object: the district): its own
                           committee staff and admins
"""

import rules

from zhitong.accounts.rules import in_scope, is_admin, is_committee_staff, is_leader

rules.add_perm("insights.view_router", is_committee_staff | is_admin | is_leader)
rules.add_perm("insights.retrain_router", is_committee_staff | is_admin)
rules.add_perm("insights.change_routing", (is_committee_staff | is_admin) & in_scope)
