"""The shared cache when there is no Redis: Django's database cache, with increments that
are atomic across processes.

Rate limits count with `cache.incr(key)` (`cache.add(key, 1)` starts a window). Django's database
cache makes `incr` a read and then a write, so two web processes counting at once can
both read 4 and both write 5: each process then keeps its own tally and a limit of 20
lets 40 through with two workers. Here `incr` first takes the row's write lock (an
UPDATE that changes nothing: a row lock on PostgreSQL, the database's write lock on
SQLite) and reads and writes the value inside that one transaction, so increments
queue up behind each other instead. `add` is atomic already: of two inserts of one key,
one fails on the primary key.
"""

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import connections, models, router, transaction
from django.utils.timezone import now


class DatabaseCache(DjangoDatabaseCache):
    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        # A missing or expired key is reported once the block has ended: it changed
        # nothing, so there is nothing to roll back (a rate limit's new window costs one
        # statement less).
        with transaction.atomic(using=db), connection.cursor() as cursor:
            value = self._locked_incr(cursor, connection, key, delta)
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def _locked_incr(self, cursor, connection, key, delta):
        """The key's value plus `delta`, written under the row's write lock; None when the
        key is missing or expired."""
        quote = connection.ops.quote_name
        table = quote(self._table)
        cache_key, value_col, expires = quote("cache_key"), quote("value"), quote("expires")
        cursor.execute(
            f"UPDATE {table} SET {expires} = {expires} WHERE {cache_key} = %s",  # noqa: S608
            [key],
        )
        if not cursor.rowcount:
            return None
        cursor.execute(
            f"SELECT {value_col}, {expires} FROM {table} WHERE {cache_key} = %s",  # noqa: S608
            [key],
        )
        stored, expires_at = cursor.fetchone()
        expression = models.Expression(output_field=models.DateTimeField())
        for converter in connection.ops.get_db_converters(
            expression
        ) + expression.get_db_converters(connection):
            expires_at = converter(expires_at, expression, connection)
        if expires_at < now():
            return None
        stored = connection.ops.process_clob(stored)
        value = pickle.loads(base64.b64decode(stored.encode())) + delta  # noqa: S301
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        cursor.execute(
            f"UPDATE {table} SET {value_col} = %s WHERE {cache_key} = %s",  # noqa: S608
            [encoded, key],
        )
        return value
