"""What the unit server's SQL shares (pg_functions.py, pg_leases.py): the NOTIFY channel, the
clause every SECURITY DEFINER function carries, the lease's length, our SQLSTATEs."""
from __future__ import annotations

CHANNEL = "ivig_unit"  # NOTIFY: the infusion's id on every change, for the boards
LEASE_S = 90  # a workstation that has not renewed its hold for this long has crashed or is cut off
CLAIM_WINDOW_S = 180  # after a restore, the later takeovers that come back within this are compared (pg_leases.py)
LOCK_SPACE = 4952  # the advisory-lock key space of workstation connections
ACTIVE_LOCK = 4953  # the key space of a new infusion's patient and chair, while it is checked against the active ones
LOCK_WAIT = "1500ms"  # the longest any function waits for a row lock (only ever its caller's own rows)
ENDING_KINDS = ("stop", "complete")  # after one of these an infusion never runs again (the board's filter)
ENDING_ACTIONS = ("stop",)  # a reaction's action that ends it too (reaction_flow.ReactionFlow.act)

# SQLSTATEs
STATION = "IVS01"  # this connection has not said hello
DUPLICATE = "IVD01"  # another live connection uses this installation id
OTHER_LOGIN = "IVD02"  # this installation id was registered by another login
FENCED = "IVF01"  # another workstation took the infusion over: read-only here
HELD = "IVH01"  # another workstation holds the infusion (its lease is live)
LAPSED = "IVR01"  # this workstation's own lease lapsed in a record the server was restored to: in doubt
BUSY = "IVB01"  # the caller's own rows are busy (its other connection): try again
CONFLICT = "IVC01"  # an event number the server holds with other content
IDENTITY = "IVC02"  # the infusion's identity differs on the server
GAP = "IVG01"  # events missing before the ones sent
BAD = "IVN01"  # a name with a control character, a body that is not an event
UNKNOWN = "IVN02"  # no such infusion on the server
ACTIVE = "IVA01"  # the patient, or the chair, already has an active infusion (store/active.py)

DEFINER = (f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp "
           f"SET lock_timeout = '{LOCK_WAIT}'")
EXPIRES = f"now() + make_interval(secs => {LEASE_S})"


def append_only(*tables: str) -> str:
    """The triggers that keep each table append-only: no UPDATE, DELETE or TRUNCATE, whoever asks
    (the function ivig_append_only raises; a superuser can still drop a trigger, which verify reveals)."""
    return "".join(
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}\n"
        f"    FOR EACH ROW EXECUTE FUNCTION ivig_append_only();\n"
        f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t}\n"
        f"    FOR EACH STATEMENT EXECUTE FUNCTION ivig_append_only();\n" for t in tables)
