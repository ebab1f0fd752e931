"""The unit server's schema (PostgreSQL) and its versioned migrations.

The server keeps the record honest by itself: UPDATE, DELETE and TRUNCATE on the events and
sessions tables are refused by a trigger (for every role, the owner too) and the privileges are
revoked from PUBLIC; the role `ivig_workstation` may only read and append. A sequence number
unique per infusion means two writers cannot fork one chain; an event's uid (the infusion's uid
and its sequence number) lets the server drop a resend. Chairs, leases and the chain head are
working state (updated), outside the record.
"""
from __future__ import annotations

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
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ivig_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ivig_append_only();
CREATE TRIGGER sessions_append_only BEFORE UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION ivig_append_only();
CREATE TRIGGER sessions_no_truncate BEFORE TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION ivig_append_only();
REVOKE ALL ON events, sessions, chain_head, chairs, leases FROM PUBLIC;
"""

# The workstations' role: read and append the record, keep the working state. Made where the
# installing role may create roles; otherwise the administrator grants the same by hand.
ROLE = r"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ivig_workstation') THEN
        CREATE ROLE ivig_workstation NOLOGIN;
    END IF;
    GRANT SELECT ON schema_version TO ivig_workstation;
    GRANT SELECT, INSERT ON events, sessions TO ivig_workstation;
    GRANT SELECT, INSERT, UPDATE ON chain_head, chairs, leases TO ivig_workstation;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ivig_workstation;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'role ivig_workstation not made: grant SELECT, INSERT on events and sessions by hand';
END $$;
"""

MIGRATIONS: list[tuple[int, str]] = [(1, M1)]
LATEST = MIGRATIONS[-1][0]
