"""Give the application's PostgreSQL role what it needs, and not the power to erase history.

Run as the owner role (the one that runs `migrate`), after every `migrate`:

    DATABASE_URL=postgres://zhitong_owner@host/zhitong manage.py db_grant_app_role zhitong_app

The application then connects as `zhitong_app`. That role reads and writes rows, but:
it owns no table, so it cannot drop one, alter one or disable its triggers; it may not
TRUNCATE anything; it may not UPDATE or DELETE events (core_event), nor DELETE the cases
whose timelines they are. See docs/deployment.md.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# Tables whose rows own a timeline: the application never deletes them.
KEEP_ROWS = ["opinions_opinion"]
APPEND_ONLY = ["core_event"]


class Command(BaseCommand):
    help = "Grant the application role row access, without TRUNCATE or erasing the timeline."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the PostgreSQL role the web and worker processes use")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("只适用于 PostgreSQL（SQLite 由触发器保护办理记录）。")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(
                    f"PostgreSQL 中没有角色 {role}，请先创建（见 docs/deployment.md）。"
                )
            cursor.execute("SELECT current_schema()")
            (schema,) = cursor.fetchone()
            quoted = connection.ops.quote_name(role)
            schema_q = connection.ops.quote_name(schema)
            statements = [
                f"GRANT USAGE ON SCHEMA {schema_q} TO {quoted}",
                f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema_q} FROM {quoted}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema_q} "
                f"TO {quoted}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema_q} TO {quoted}",
            ]
            statements += [f"REVOKE UPDATE, DELETE ON {t} FROM {quoted}" for t in APPEND_ONLY]
            statements += [f"REVOKE DELETE ON {t} FROM {quoted}" for t in KEEP_ROWS]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"已授权 {role}：读写数据行；不能清空表、改表结构或停用触发器，不能修改或删除办理记录。"
        )
