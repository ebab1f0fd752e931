"""The unit server's schema (PostgreSQL) and its versioned migrations.

The server keeps the record honest by itself:
- Two roles, made by `unit init`: `ivig_owner` (NOLOGIN) owns every table and function;
  `ivig_workstation` (NOLOGIN) is what each workstation's login is a member of. It may read,
  and it may call the server's functions (pg_functions.py, SECURITY DEFINER, run as the owner),
  nothing else: no INSERT, UPDATE, DELETE or TRUNCATE on any table.
- The functions check the caller's installation, the lease and its epoch (fencing token), the
  per-infusion sequence, refuse an event whose number exists with other content, and compute
  the hash chain on the server (a workstation never gives a hash).
- UPDATE, DELETE and TRUNCATE on the events and sessions tables are refused by a trigger, for
  every role, the owner too. Chairs, leases, stations and the chain heads are working state,
  outside the record.
- Version 3 holds the drug library (pg_library.py).
- Since version 4 each infusion has its own hash chain (`heads`: its count and last hash), so no
  workstation ever waits on a lock another holds: the unit-wide `chain_head` keeps the events
  chained before (forms 1 and 2), frozen. Every epoch a lease has had is in `lease_log` (who took
  it, how, when: the server's clock). The board's chair state is worked out from the events,
  never from a summary a workstation sends (the `chairs` row holds only what the server knows:
  whether an event has started or ended the infusion, from the events' kinds).
"""
from __future__ import annotations

from .pg_common import append_only
from .pg_library import LIBRARY_ROLE, M3

M1 = r"""
CREATE TABLE sessions(
    id bigserial PRIMARY KEY, uid text NOT NULL UNIQUE, chair text NOT NULL, patient_id text,
    training boolean NOT NULL, wall_start double precision NOT NULL,
    speed double precision NOT NULL DEFAULT 1.0, product text,
    workstation text NOT NULL, nurse text NOT NULL, created timestamptz NOT NULL DEFAULT now());
CREATE INDEX sessions_patient ON sessions(patient_id, training);
CREATE TABLE events(
    id bigserial PRIMARY KEY, session_id bigint NOT NULL REFERENCES sessions(id),
    seq integer NOT NULL, uid text NOT NULL UNIQUE, wall double precision NOT NULL, body text NOT NULL,
    prev_hash text NOT NULL, hash text NOT NULL, workstation text, nurse text,
    received timestamptz NOT NULL DEFAULT now(), UNIQUE(session_id, seq));
CREATE TABLE chain_head(one integer PRIMARY KEY CHECK (one = 1), n bigint NOT NULL, hash text NOT NULL);
INSERT INTO chain_head VALUES (1, 0, repeat('0', 64));
CREATE TABLE chairs(
    session_id bigint PRIMARY KEY REFERENCES sessions(id), status text NOT NULL, summary jsonb NOT NULL,
    n_events integer NOT NULL, last_wall double precision, alive_wall double precision,
    updated timestamptz NOT NULL DEFAULT now());
CREATE INDEX chairs_status ON chairs(status);
CREATE TABLE leases(
    session_id bigint PRIMARY KEY REFERENCES sessions(id), workstation text NOT NULL, nurse text,
    expires timestamptz NOT NULL, since timestamptz NOT NULL DEFAULT now());

CREATE FUNCTION ivig_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
""" + append_only("events", "sessions") + """REVOKE ALL ON events, sessions, chain_head, chairs, leases FROM PUBLIC;
"""


M2 = r"""
ALTER TABLE events ADD COLUMN form smallint NOT NULL DEFAULT 1;
ALTER TABLE events ADD COLUMN login text;
ALTER TABLE leases ADD COLUMN installation text;
ALTER TABLE leases ADD COLUMN login text;
ALTER TABLE leases ADD COLUMN epoch bigint NOT NULL DEFAULT 1;
ALTER TABLE leases ADD COLUMN renewed timestamptz NOT NULL DEFAULT now();
ALTER TABLE chairs ADD COLUMN alive timestamptz;
CREATE TABLE stations(
    installation text PRIMARY KEY, label text NOT NULL, login text NOT NULL, instance text NOT NULL,
    pid integer NOT NULL, seen timestamptz NOT NULL DEFAULT now());
REVOKE ALL ON stations FROM PUBLIC;
"""

M4 = r"""
CREATE TABLE heads(session_id bigint PRIMARY KEY REFERENCES sessions(id), n integer NOT NULL, hash text NOT NULL);
INSERT INTO heads(session_id, n, hash)
    SELECT e.session_id, e.seq + 1, e.hash FROM events e
    WHERE e.seq = (SELECT max(x.seq) FROM events x WHERE x.session_id = e.session_id);
ALTER TABLE events ADD COLUMN epoch bigint;
ALTER TABLE stations ADD COLUMN key integer;
-- what the server knows of each infusion from its events' kinds (ivig_append keeps both): the board's
-- filter and the one-active-infusion rule (store/active.py); the workstation's word for them goes
ALTER TABLE chairs ADD COLUMN ended boolean NOT NULL DEFAULT false, ADD COLUMN started boolean NOT NULL DEFAULT false;
UPDATE chairs SET ended = status IN ('completed', 'stopped', 'closed', 'set-aside'),
    started = status NOT IN ('planned', 'set-aside');
DROP INDEX IF EXISTS chairs_status;
ALTER TABLE chairs DROP COLUMN status, DROP COLUMN summary;
-- epochs only ever go up by one, on the server: a value no honest use reaches is a forged one
UPDATE leases SET epoch = 1000000 WHERE epoch > 1000000;
ALTER TABLE leases ADD CONSTRAINT leases_epoch CHECK (epoch BETWEEN 1 AND 1000000000);
CREATE TABLE lease_log(
    session_id bigint NOT NULL REFERENCES sessions(id), epoch bigint NOT NULL, installation text NOT NULL,
    label text NOT NULL, login text NOT NULL, how text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, epoch));
DROP FUNCTION IF EXISTS ivig_hold(sessions, stations, bigint);
DROP FUNCTION IF EXISTS ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[],
                                    jsonb);
REVOKE ALL ON heads, lease_log FROM PUBLIC;
"""

# Which copy of the database last wrote each lease (pg_leases.py, ivig_incarnation): a lease row a
# restore brought back names an earlier one, so the server knows its record of that lease may lack a
# takeover made after the backup.
M5 = r"""
ALTER TABLE leases ADD COLUMN incarnation text;
"""

# The restore rule's second form (pg_leases.py): a heal that leaves the lease as it is, a claim at the
# epoch the claimant holds, an infusion the server lost recreated in doubt. The functions whose
# arguments changed are dropped here (`unit init` makes the new ones).
# lease_log keeps every row (a vouch or a second claim at one epoch is a row of its own, never written
# over), append-only like the events.
M6 = r"""
DROP FUNCTION IF EXISTS ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[]);
DROP FUNCTION IF EXISTS ivig_hold(bigint, text, text, bigint);
DROP FUNCTION IF EXISTS ivig_lease_check(leases, stations, bigint, text);
ALTER TABLE lease_log DROP CONSTRAINT lease_log_pkey;
ALTER TABLE lease_log ADD COLUMN id bigserial PRIMARY KEY;
CREATE INDEX lease_log_epoch ON lease_log(session_id, epoch, id);
-- after a restore: the workstations that say they hold a later epoch than a lease in doubt (pg_leases.py)
CREATE TABLE claims(
    session_id bigint NOT NULL REFERENCES sessions(id), over_epoch bigint NOT NULL, installation text NOT NULL,
    epoch bigint NOT NULL, label text NOT NULL, login text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    incarnation text, PRIMARY KEY (session_id, over_epoch, installation));
REVOKE ALL ON claims FROM PUBLIC;
""" + append_only("lease_log")

# Schema 6 grew after units had it (lease_log's own id, then claims, then the claims' incarnation), and a
# unit already at 6 never runs M6 again: this brings a unit at any form of 6 to its last, and changes
# nothing on one that has it. Never edit a migration a unit may have run: add one.
M7 = r"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'lease_log'::regclass AND attname = 'id'
                   AND NOT attisdropped) THEN
        ALTER TABLE lease_log DROP CONSTRAINT IF EXISTS lease_log_pkey;
        ALTER TABLE lease_log ADD COLUMN id bigserial PRIMARY KEY;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_trigger WHERE tgrelid = 'lease_log'::regclass
                   AND tgname = 'lease_log_append_only') THEN
        """ + append_only("lease_log") + r"""
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS lease_log_epoch ON lease_log(session_id, epoch, id);
CREATE TABLE IF NOT EXISTS claims(
    session_id bigint NOT NULL REFERENCES sessions(id), over_epoch bigint NOT NULL, installation text NOT NULL,
    epoch bigint NOT NULL, label text NOT NULL, login text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, over_epoch, installation));
ALTER TABLE claims ADD COLUMN IF NOT EXISTS incarnation text;
REVOKE ALL ON claims FROM PUBLIC;
"""

# 3: the drug library (pg_library.py); 4: per-infusion chains, server-made epochs, no client summary;
# 5: the database's incarnation on each lease; 6: the restore rule's heal and claims; 7: any form of 6
# brought to its last
MIGRATIONS: list[tuple[int, str]] = [(1, M1), (2, M2), (3, M3), (4, M4), (5, M5), (6, M6), (7, M7)]
LATEST = MIGRATIONS[-1][0]

OWNER, WORKSTATION = "ivig_owner", "ivig_workstation"
TABLES = ("schema_version", "sessions", "events", "chain_head", "chairs", "leases", "stations", "heads", "lease_log",
          "claims")

# Made before the migrations, by a role that may create roles (a superuser, or CREATEROLE).
ROLES = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER}') THEN
        CREATE ROLE {OWNER} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WORKSTATION}') THEN
        CREATE ROLE {WORKSTATION} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{LIBRARY_ROLE}') THEN
        CREATE ROLE {LIBRARY_ROLE} NOLOGIN;
    END IF;
    IF NOT pg_has_role(current_user, '{OWNER}', 'MEMBER') THEN
        EXECUTE format('GRANT {OWNER} TO %I', current_user);  -- to hand it the tables
    END IF;
END $$;
"""


def privileges(functions: list[str], callable_: list[str]) -> str:
    """Ownership to the owner; to the workstations: read, and call the functions they may call
    (`callable_`). Nothing else: the functions used only inside those are nobody's to call."""
    tables = ", ".join(TABLES)
    out = [f"ALTER TABLE {t} OWNER TO {OWNER};" for t in TABLES]
    out += [f"ALTER SEQUENCE {s} OWNER TO {OWNER};" for s in ("sessions_id_seq", "events_id_seq",
                                                                             "lease_log_id_seq")]
    out += [f"ALTER FUNCTION {f} OWNER TO {OWNER};" for f in functions + ["ivig_append_only()"]]
    out += [f"REVOKE ALL ON {tables} FROM PUBLIC, {WORKSTATION};",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, {WORKSTATION};",
            f"GRANT USAGE ON SCHEMA public TO {WORKSTATION};",
            f"GRANT SELECT ON schema_version, sessions, events, chain_head, chairs, heads, lease_log TO {WORKSTATION};",
            # leases and lease_log: not the installation ids (a workstation's identity is not for others to copy)
            f"GRANT SELECT (session_id, workstation, nurse, expires, since, epoch, renewed, login) ON leases "
            f"TO {WORKSTATION};",
            f"REVOKE SELECT ON lease_log FROM {WORKSTATION};",
            f"GRANT SELECT (session_id, epoch, label, login, how, at) ON lease_log TO {WORKSTATION};"]
    for f in functions:
        out += [f"REVOKE ALL ON FUNCTION {f} FROM PUBLIC, {WORKSTATION};"]
    out += [f"GRANT EXECUTE ON FUNCTION {f} TO {WORKSTATION};" for f in callable_]
    return "\n".join(out)


# Limits set on each workstation login by `unit init`: a login's defaults, so that a workstation
# (or a program using its login) cannot hold the unit up by mistake. Role settings are not
# inherited, so each member login gets its own; the functions also keep their own lock waits
# short whatever a login sets for itself.
LOGIN_LIMITS = (("statement_timeout", "10s"), ("lock_timeout", "3s"), ("idle_in_transaction_session_timeout", "20s"))
MEMBERS = (f"SELECT m.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
           f"WHERE a.roleid = (SELECT oid FROM pg_roles WHERE rolname = '{WORKSTATION}') AND NOT m.rolsuper "
           "ORDER BY 1")
