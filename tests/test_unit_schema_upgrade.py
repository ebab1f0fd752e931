"""A unit set up at an earlier form of schema 6 is brought by `unit init` to the schema a fresh unit
has, and a claim after a restore works on it (it failed on a missing column when schema 6 was
edited in place)."""
from __future__ import annotations

import psycopg
import pytest
from test_unit_logins import unit  # noqa: F401 - the fixture
from test_unit_restore_rule import _restored_after_a_took_it_back, close_window, desks  # noqa: F401

from titration.store.pg_schema import LATEST
from titration.store.pg_store import init_schema

pytestmark = pytest.mark.pg

# what the catalog says of our tables: columns, constraints, indexes and triggers (not their order)
SHAPE = """
SELECT 'col', c.relname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text
       || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'con', c.relname, x.conname || ' ' || pg_get_constraintdef(x.oid)
  FROM pg_constraint x JOIN pg_class c ON c.oid = x.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public'
UNION ALL
SELECT 'idx', tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'trg', c.relname, t.tgname || ' ' || pg_get_triggerdef(t.oid)
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND NOT t.tgisinternal
UNION ALL
SELECT 'acl', c.relname, coalesce((SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x), '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'
"""

# How a unit at schema 6 could look, from the last form back: claims without its incarnation; no
# claims table; lease_log keyed by (session_id, epoch), without its id or its append-only triggers.
EARLIER_SIX = {
    "claims without incarnation": "ALTER TABLE claims DROP COLUMN incarnation;",
    "no claims, lease_log keyed by epoch": """
        DROP TABLE claims;
        DROP TRIGGER lease_log_append_only ON lease_log;
        DROP TRIGGER lease_log_no_truncate ON lease_log;
        DROP INDEX lease_log_epoch;
        ALTER TABLE lease_log DROP COLUMN id;
        ALTER TABLE lease_log ADD PRIMARY KEY (session_id, epoch);""",
}


def q(url, sql, args=()):
    with psycopg.connect(url, autocommit=True) as c:
        cur = c.execute(sql, args)
        return cur.fetchall() if cur.description else None


def shape(url) -> set:
    return set(q(url, SHAPE))


@pytest.mark.parametrize("form", sorted(EARLIER_SIX))
def test_a_unit_at_an_earlier_schema_6_is_brought_to_a_fresh_units_schema(pg_server, form):
    fresh = pg_server.new_database()
    url = pg_server.new_database()
    q(url, EARLIER_SIX[form] + "\nUPDATE schema_version SET version = 6;")
    assert shape(url) != shape(fresh)  # the earlier form really differs
    assert init_schema(url) == (6, LATEST)
    assert shape(url) == shape(fresh)
    assert init_schema(url) == (LATEST, LATEST)  # and again: nothing to do
    assert shape(url) == shape(fresh)


def test_a_claim_after_a_restore_is_granted_on_an_upgraded_unit(desks):  # noqa: F811 - the fixture
    """The claim path writes claims.incarnation: on a unit upgraded without it, every claim after a
    restore failed (42703) and nobody was ever granted."""
    admin, a, b, dump, restore = desks
    q(admin, EARLIER_SIX["claims without incarnation"] + "\nUPDATE schema_version SET version = 6;")
    assert init_schema(admin) == (6, LATEST)
    sess, a_record, b_record, a, b = _restored_after_a_took_it_back(admin, a, b, dump, restore)
    uid = sess["uid"]
    assert b.append(sess, b_record[2:], 2, 2, heal=True) == (2, 0, -1)  # pending, not an SQL error
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == (2, 0, -1)
    close_window(admin)
    assert a.append(sess, a_record[2:], 2, 3, heal=True) == (6, 4, 3)  # the later takeover is granted
    assert b.beat(uid, 2) is False


def test_the_incarnation_keeps_its_value_on_a_server_that_was_not_restored(pg_server):
    """It names the timeline WAL is written on now (a recovery ended by promotion writes on its new
    one while the last checkpoint still names the old); on a server that has not switched, that is
    the checkpoint's, written the same way, so leases written before an update are not put in doubt."""
    url = pg_server.new_database()
    (now, before), = q(url, """
        SELECT ivig_incarnation(),
               md5((SELECT oid::text FROM pg_database WHERE datname = current_database()) || ':'
                   || 'public.leases'::regclass::oid::text || ':'
                   || (SELECT system_identifier::text FROM pg_control_system()) || ':'
                   || (SELECT timeline_id::text FROM pg_control_checkpoint()))""")
    assert now == before
