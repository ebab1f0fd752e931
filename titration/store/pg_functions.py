"""The unit server's functions: the only way a workstation writes (SECURITY DEFINER, run as the
owner role; workstations may call the ones in CALLABLE and read, nothing else).

- `ivig_hello`: a workstation's connection says which installation it is. The id belongs to the
  login that first used it. The connection takes an advisory lock on a random key of its own
  (kept in its `stations` row, which no workstation may read); "is the registered connection
  still there" is that backend, of that login, holding that key. Another login can neither make
  a workstation look connected nor lock it out: the key is new at every hello.
- `ivig_append`: one infusion's events, into that infusion's own hash chain (computed here, on
  the server's clock, over the event, its infusion's identity, who recorded it and which login
  sent it). The lease and its epoch (fencing token) are checked, the sequence too; an event whose
  number the server holds with other content is refused (never dropped as a duplicate).
- `ivig_take`, `ivig_beat` (pg_leases.py): take over an infusion whose lease has expired (the
  epoch goes up by one, so whatever the old holder sends from then on is refused; every epoch is
  kept in `lease_log`); renew this workstation's own leases.
- `ivig_heads`: what the server holds of each infusion (count, hash, a digest of the bodies), so
  a workstation can re-send what a restored server lost and notice a record changed on the server.
- `ivig_active`: the unit's active infusions in the way of a new one (one per patient and per
  chair, store/active.py), asked by a workstation before it writes one; `ivig_append` checks again
  when it first takes an infusion. "Active" is the server's own record: `chairs.ended` and
  `chairs.started`, kept by `ivig_append` from the kinds of the events it takes (`ivig_ends`).

No function locks a row another workstation holds: the caller (its login, its installation) and
the lease are checked on a plain read first, and only a lease that is the caller's (or has
expired) is then locked, and checked again under the lock. Every lock wait is short (the
functions' own lock_timeout), so a login that keeps a transaction open holds up nothing but its
own chairs. Epochs are never taken from the caller: the server raises them, by one.

Expiry, takeover and "how long was it away" use the server's clock (now()), never a
workstation's. Errors carry SQLSTATEs of our own (class IV) that the client reads.
"""
from __future__ import annotations

from ..session_events import KINDS, MAX_AT_MIN
from .base import REFUSED_RANGES, SET_ASIDE
from .pg_common import ACTIVE, ACTIVE_LOCK, CHANNEL, DEFINER, ENDING_ACTIONS, ENDING_KINDS, LOCK_SPACE
from .pg_leases import LEASE_FUNCTIONS


def _pg_escape(c: int) -> str:
    return f"\\x{c:02x}" if c < 0x80 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


# The characters refused in a name (base.CONTROL), as a PostgreSQL regular expression (NUL cannot
# be in a text value at all).
_REFUSED = "[" + "".join(_pg_escape(max(a, 1)) if a == b else f"{_pg_escape(max(a, 1))}-{_pg_escape(b)}"
                         for a, b in REFUSED_RANGES) + "]"
_ENDING = ", ".join(f"'{k}'" for k in ENDING_KINDS)
_ENDING_ACTIONS = ", ".join(f"'{k}'" for k in ENDING_ACTIONS)
_LATER_KINDS = ", ".join(f"'{k}'" for k in KINDS if k != "planned")
_PUMP_KINDS = "'start', 'pause', 'resume', 'increase'"  # the app records these only before the end
# after these a paused pump may run again (or its state is the reaction's): a pause may follow
_RUNS_AGAIN = "'resume', 'action', 'resolved', 'prescriber_rate', 'prescriber', 'start', 'app_closed', 'planned'"
# these may have paused (or stopped) a running pump: a resume may follow
_COULD_PAUSE = ", ".join(f"'{k}'" for k in KINDS if k not in (
    "note", "signin", "vial", "vial_removed", "premedication", "checklist", "increase", "planned", "resume", "start"))
# what replay reads of the first event's plan (planio.plan_from_dict): all there, each of its type
_PLAN_KEYS = ", ".join(f"'{k}'" for k in (
    "request", "product_name", "protocol_id", "protocol_name", "protocol_kind", "concentration_mg_per_ml", "dosing",
    "rate_weight_kg", "dose", "limits", "rungs", "steps", "notes", "sources", "delivered_at_start_ml",
    "replanned_at_min"))
_PLAN_TYPES = " OR ".join(f"jsonb_typeof(p_body->'plan'->'{k}') IS DISTINCT FROM '{t}'" for k, t in (
    ("request", "object"), ("dosing", "object"), ("dose", "object"), ("limits", "array"), ("rungs", "array"),
    ("steps", "array"), ("notes", "array"), ("sources", "array"), ("product_name", "string"),
    ("concentration_mg_per_ml", "number"), ("rate_weight_kg", "number"), ("delivered_at_start_ml", "number")))

FUNCTIONS: list[tuple[str, str]] = LEASE_FUNCTIONS + [
    ("ivig_payload(bigint, text, text, text, boolean, double precision, double precision, integer, "
     "double precision, text, text, text, double precision, text)", r"""
CREATE OR REPLACE FUNCTION ivig_payload(p_sid bigint, p_uid text, p_chair text, p_patient text, p_training boolean,
    p_wall_start double precision, p_speed double precision, p_seq integer, p_wall double precision, p_ws text,
    p_nurse text, p_login text, p_received double precision, p_body text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '~' ELSE length(f) || ':' || f END, '' ORDER BY i)
    FROM unnest(ARRAY[p_sid::text, p_uid, p_chair, p_patient, CASE WHEN p_training THEN 't' ELSE 'f' END,
        encode(float8send(p_wall_start), 'hex'), encode(float8send(p_speed), 'hex'), p_seq::text,
        encode(float8send(p_wall), 'hex'), p_ws, p_nurse, p_login, encode(float8send(p_received), 'hex'), p_body])
        WITH ORDINALITY AS t(f, i)
$$"""),
    ("ivig_shape(integer, jsonb, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_shape(p_seq integer, p_body jsonb, p_chair text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
-- An event that would leave the infusion's record impossible to replay is refused here, before it is
-- stored (after that, the append-only record would carry it for good): the first event is the plan,
-- with the plan replay reads; every later one is of a kind the app records, never a second plan.
BEGIN
    IF p_seq = 0 THEN
        IF p_body->>'kind' IS DISTINCT FROM 'planned' OR jsonb_typeof(p_body->'plan') IS DISTINCT FROM 'object'
                OR NOT (p_body->'plan' ?& ARRAY[{_PLAN_KEYS}]) OR {_PLAN_TYPES}
                OR jsonb_typeof(p_body->'plan'->'dose'->'vials') IS DISTINCT FROM 'array' THEN
            RAISE EXCEPTION 'event #1 of chair % is not the infusion''s plan (an infusion''s record begins with '
                'the plan it was started with): not sent', p_chair USING ERRCODE = 'IVN01';
        END IF;
    ELSIF NOT coalesce(p_body->>'kind' IN ({_LATER_KINDS}), false) THEN
        RAISE EXCEPTION 'event #% of chair % is of a kind this unit''s app does not record (%): not sent',
            p_seq + 1, p_chair, left(p_body->>'kind', 40) USING ERRCODE = 'IVN01';
    END IF;
END $$"""),
    ("ivig_sequence(bigint, integer, jsonb, text, boolean, boolean)", rf"""
CREATE OR REPLACE FUNCTION ivig_sequence(p_sid bigint, p_seq integer, p_body jsonb, p_chair text, p_started boolean,
                                         p_ended boolean) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
-- What the server can check of an event's place in its infusion without the app's clinical replay (which
-- stays the workstation's, and `journal verify`'s): its time, and the pump's start, pause and resume.
-- Each check is one the app's own replay makes too, so no event the app records is refused here.
DECLARE at float8 := (p_body->>'at_min')::float8; prev jsonb; k text := p_body->>'kind'; last text;
BEGIN
    IF abs(at) > {MAX_AT_MIN} THEN
        RAISE EXCEPTION 'event #% of chair % is at minute %, beyond any infusion (at most % minutes): not sent',
            p_seq + 1, p_chair, at, {MAX_AT_MIN} USING ERRCODE = 'IVN01';
    END IF;
    IF p_seq > 0 THEN
        SELECT ev.body::jsonb INTO prev FROM events ev WHERE ev.session_id = p_sid AND ev.seq = p_seq - 1;
        IF jsonb_typeof(prev->'at_min') = 'number' AND at < (prev->>'at_min')::float8 - 1e-9 THEN
            RAISE EXCEPTION 'event #% of chair % is at minute %, before the event before it (minute %): events are '
                'in time order; not sent', p_seq + 1, p_chair, at, prev->>'at_min' USING ERRCODE = 'IVN01';
        END IF;
    END IF;
    IF k IN ({_PUMP_KINDS}) AND p_ended THEN
        RAISE EXCEPTION 'event #% of chair % (%) follows the end of the infusion: not sent', p_seq + 1, p_chair, k
            USING ERRCODE = 'IVN01';
    ELSIF k = 'start' AND p_started THEN
        RAISE EXCEPTION 'event #% of chair % starts an infusion that has already started: not sent', p_seq + 1,
            p_chair USING ERRCODE = 'IVN01';
    ELSIF k IN ('pause', 'resume') AND NOT p_started THEN
        RAISE EXCEPTION 'event #% of chair % (%) comes before the infusion started: not sent', p_seq + 1, p_chair, k
            USING ERRCODE = 'IVN01';
    ELSIF k IN ('pause', 'resume') THEN
        -- the last event that could have changed whether the pump runs (the broader set for each: never too strict)
        SELECT ev.body::jsonb->>'kind' INTO last FROM events ev WHERE ev.session_id = p_sid
            AND ev.body::jsonb->>'kind' IN (SELECT unnest(CASE WHEN k = 'pause' THEN ARRAY[{_RUNS_AGAIN}, 'pause']
                                                          ELSE ARRAY[{_COULD_PAUSE}, 'resume', 'start'] END))
            ORDER BY ev.seq DESC LIMIT 1;
        IF k = 'pause' AND last = 'pause' THEN
            RAISE EXCEPTION 'event #% of chair % pauses an infusion already paused: not sent', p_seq + 1, p_chair
                USING ERRCODE = 'IVN01';
        ELSIF k = 'resume' AND last IN ('resume', 'start') THEN
            RAISE EXCEPTION 'event #% of chair % resumes an infusion that was not paused: not sent', p_seq + 1,
                p_chair USING ERRCODE = 'IVN01';
        END IF;
    END IF;
END $$"""),
    ("ivig_name(text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_name(p_field text, p_value text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF p_value ~ '{_REFUSED}' THEN
        RAISE EXCEPTION '% holds a control character (a line break, a tab, a direction or zero-width mark...): '
            'not allowed in a name', p_field USING ERRCODE = 'IVN01';
    END IF;
    IF length(p_value) > 200 THEN
        RAISE EXCEPTION '% is longer than 200 characters', p_field USING ERRCODE = 'IVN01';
    END IF;
END $$"""),
    ("ivig_live(stations)", rf"""
CREATE OR REPLACE FUNCTION ivig_live(st stations) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    -- the registered connection is still there: that backend, of that login, holds that key
    SELECT st.key IS NOT NULL AND EXISTS (
        SELECT 1 FROM pg_locks lk JOIN pg_stat_activity a ON a.pid = lk.pid
        WHERE lk.locktype = 'advisory' AND lk.classid = {LOCK_SPACE} AND lk.objid = st.key::bigint::oid
          AND lk.objsubid = 2 AND lk.granted AND lk.pid = st.pid AND a.usename = st.login)
$$"""),
    ("ivig_chair_key(text)", r"""
CREATE OR REPLACE FUNCTION ivig_chair_key(p_chair text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT regexp_replace(lower(regexp_replace(btrim(coalesce(p_chair, '')), '\s+', ' ', 'g')), '\s*/\s*', '/', 'g')
$$"""),
    ("ivig_ends(jsonb)", rf"""
CREATE OR REPLACE FUNCTION ivig_ends(p_body jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    -- after this event the infusion never runs again: stopped (by hand, or a reaction's action), completed, or
    -- set aside before it started (store/active.py NOT_ACTIVE; "closed" only ever follows one of these).
    -- An event's body is flat (Event.to_dict): the action and the note's text sit beside its kind.
    SELECT coalesce(p_body->>'kind' IN ({_ENDING})
                    OR (p_body->>'kind' = 'action' AND p_body->>'action' IN ({_ENDING_ACTIONS}))
                    OR (p_body->>'kind' = 'note' AND p_body->>'text' LIKE '{SET_ASIDE}%'), false)
$$"""),
    ("ivig_active(text, text, text, boolean)", r"""
CREATE OR REPLACE FUNCTION ivig_active(p_uid text, p_chair text, p_patient text, p_training boolean)
RETURNS TABLE(rule text, chair text, patient_id text, training boolean, workstation text, wall_start double precision,
              status text, uid text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    -- the unit's active infusions in the way of a new one (store/active.py): its patient's, then its chair's.
    -- Active and started as the server's own record says (chairs.ended, chairs.started: kept by ivig_append
    -- from the events' kinds), never as a workstation says.
    SELECT CASE WHEN NOT p_training AND NOT s.training AND coalesce(btrim(p_patient), '') <> ''
                     AND btrim(s.patient_id) = btrim(p_patient) THEN 'patient' ELSE 'chair' END,
           s.chair, s.patient_id, s.training, coalesce(CASE WHEN l.expires > now() THEN l.workstation END,
           l.workstation, s.workstation), s.wall_start,
           CASE WHEN coalesce(c.started, false) THEN 'running' ELSE 'planned' END, s.uid
    FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id LEFT JOIN leases l ON l.session_id = s.id
    WHERE NOT coalesce(c.ended, false) AND s.uid IS DISTINCT FROM p_uid
      AND ((NOT p_training AND NOT s.training AND coalesce(btrim(p_patient), '') <> ''
            AND btrim(s.patient_id) = btrim(p_patient))
           OR (p_chair IS NOT NULL AND ivig_chair_key(s.chair) = ivig_chair_key(p_chair)
               AND NOT (p_training AND s.training)))
    ORDER BY 1 DESC, s.id  -- 'patient' before 'chair'
$$"""),
    ("ivig_station(text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_station(p_installation text, p_instance text) RETURNS stations
{DEFINER} AS $$
DECLARE st stations;
BEGIN
    SELECT * INTO st FROM stations WHERE installation = p_installation;
    IF NOT FOUND OR st.instance IS DISTINCT FROM p_instance OR st.pid <> pg_backend_pid()
            OR st.login <> session_user THEN
        RAISE EXCEPTION 'this connection has not said which workstation it is (or another took its place)'
            USING ERRCODE = 'IVS01';
    END IF;
    RETURN st;
END $$"""),
    ("ivig_hello(text, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_hello(p_installation text, p_instance text, p_label text)
RETURNS TABLE(server_now double precision, stale_pid integer) {DEFINER} AS $$
DECLARE st stations; k integer;
BEGIN
    IF p_installation !~ '^[0-9a-f]{{32}}$' OR p_instance !~ '^[0-9a-f]{{32}}$' THEN
        RAISE EXCEPTION 'a workstation id is 32 hexadecimal digits' USING ERRCODE = 'IVN01';
    END IF;
    PERFORM ivig_name('the workstation name', p_label);
    SELECT * INTO st FROM stations WHERE installation = p_installation;  -- a plain read: no lock on another's row
    IF FOUND AND st.login <> session_user THEN  -- an id is its login's: knowing it is not enough
        RAISE EXCEPTION 'this workstation''s id belongs to another login (%): each workstation connects with its '
            'own login; the unit''s administrator can release the id', st.login USING ERRCODE = 'IVD02';
    END IF;
    IF FOUND AND st.pid <> pg_backend_pid() AND ivig_live(st) THEN
        IF st.instance = p_instance THEN  -- this run's older connection, not yet dropped: the caller ends it
            RETURN QUERY SELECT extract(epoch FROM now())::float8, st.pid;
            RETURN;
        END IF;
        RAISE EXCEPTION 'another workstation is connected to the unit server with this workstation''s id '
            '(it calls itself %, login %): a copied installation? Each workstation needs its own id '
            '(remove the copy''s outbox to give it one). If this workstation has just restarted, this '
            'clears within 30 s', st.label, st.login USING ERRCODE = 'IVD01';
    END IF;
    IF FOUND AND st.pid = pg_backend_pid() AND ivig_live(st) THEN
        k := st.key;  -- hello again on the same connection
    ELSE
        FOR i IN 1 .. 8 LOOP  -- a key of this connection's own, unknown to anyone before it is held
            k := floor(random() * 2147483646)::integer + 1;
            EXIT WHEN pg_try_advisory_lock({LOCK_SPACE}, k);
            k := NULL;
        END LOOP;
        IF k IS NULL THEN
            RAISE EXCEPTION 'the unit server could not register this connection; trying again' USING ERRCODE = 'IVB01';
        END IF;
    END IF;
    INSERT INTO stations(installation, label, login, instance, pid, key, seen)
        VALUES (p_installation, p_label, session_user, p_instance, pg_backend_pid(), k, now())
        ON CONFLICT (installation) DO UPDATE SET label = EXCLUDED.label, instance = EXCLUDED.instance,
            pid = EXCLUDED.pid, key = EXCLUDED.key, seen = EXCLUDED.seen
        WHERE stations.login = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'this workstation''s id belongs to another login' USING ERRCODE = 'IVD02';
    END IF;
    RETURN QUERY SELECT extract(epoch FROM now())::float8, NULL::integer;
END $$"""),
    ("ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[], boolean)", rf"""
CREATE OR REPLACE FUNCTION ivig_append(p_installation text, p_instance text, p_epoch bigint, p_session jsonb,
    p_seqs integer[], p_walls double precision[], p_bodies text[], p_ws text[], p_nurses text[], p_heal boolean)
RETURNS TABLE(have integer, added integer, epoch bigint, last_hash text) {DEFINER} AS $$
DECLARE
    st stations; s sessions; l leases; e events; n_have integer; n_added integer := 0; prev text; h text;
    rec double precision := extract(epoch FROM now())::float8; k text; body jsonb; ended boolean := false;
    started boolean := false; fresh boolean; a record; was_started boolean; was_ended boolean;
BEGIN
    st := ivig_station(p_installation, p_instance);
    PERFORM set_config('synchronous_commit', 'on', true);  -- "held" means on the server's disk
    FOREACH k IN ARRAY ARRAY['uid', 'chair', 'patient_id', 'product', 'workstation', 'nurse'] LOOP
        PERFORM ivig_name('the infusion''s ' || k, p_session->>k);
    END LOOP;
    INSERT INTO sessions(uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse)
        VALUES (p_session->>'uid', p_session->>'chair', p_session->>'patient_id', (p_session->>'training')::boolean,
                (p_session->>'wall_start')::float8, coalesce((p_session->>'speed')::float8, 1.0),
                p_session->>'product', coalesce(p_session->>'workstation', ''), coalesce(p_session->>'nurse', ''))
        ON CONFLICT (uid) DO NOTHING;
    fresh := FOUND;  -- a new infusion on the server
    SELECT * INTO s FROM sessions WHERE uid = p_session->>'uid';
    IF s.chair IS DISTINCT FROM p_session->>'chair' OR s.patient_id IS DISTINCT FROM p_session->>'patient_id'
            OR s.training IS DISTINCT FROM (p_session->>'training')::boolean
            OR s.wall_start IS DISTINCT FROM (p_session->>'wall_start')::float8
            OR s.speed IS DISTINCT FROM coalesce((p_session->>'speed')::float8, 1.0) THEN
        RAISE EXCEPTION 'the unit server holds this infusion (chair %) with another chair, patient or start: '
            'not sent', s.chair USING ERRCODE = 'IVC02';
    END IF;
    -- p_heal: only what this server once confirmed to the caller, sent again after a restore (the lease is left)
    l := ivig_hold(s.id, p_installation, p_instance, p_epoch, coalesce(p_heal, false));  -- the row is locked
    SELECT coalesce(max(ev.seq) + 1, 0) INTO n_have FROM events ev WHERE ev.session_id = s.id;
    IF l.epoch = -1 THEN  -- a claim after a restore, pending (pg_leases.py): nothing is stored yet
        RETURN QUERY SELECT n_have, 0, -1::bigint, NULL::text;
        RETURN;
    END IF;
    SELECT coalesce(c.started, false), coalesce(c.ended, false) INTO was_started, was_ended
        FROM chairs c WHERE c.session_id = s.id;
    FOR i IN 1 .. coalesce(array_length(p_seqs, 1), 0) LOOP
        IF p_seqs[i] < n_have THEN  -- the server has this number: the same event, or a refusal
            SELECT * INTO e FROM events ev WHERE ev.session_id = s.id AND ev.seq = p_seqs[i];
            IF e.body IS DISTINCT FROM p_bodies[i] OR e.wall IS DISTINCT FROM p_walls[i]
                    OR e.workstation IS DISTINCT FROM p_ws[i] OR e.nurse IS DISTINCT FROM p_nurses[i] THEN
                RAISE EXCEPTION 'event #% of chair % on the unit server is another event (recorded on workstation '
                    '%): this workstation''s event #% is kept here, not sent', p_seqs[i] + 1, s.chair,
                    coalesce(e.workstation, '?'), p_seqs[i] + 1 USING ERRCODE = 'IVC01';
            END IF;
        ELSIF p_seqs[i] = n_have THEN
            PERFORM ivig_name('the workstation name', p_ws[i]);
            PERFORM ivig_name('the nurse''s name', p_nurses[i]);
            BEGIN
                body := p_bodies[i]::jsonb;
                IF jsonb_typeof(body) IS DISTINCT FROM 'object' OR jsonb_typeof(body->'kind') IS DISTINCT FROM 'string'
                        OR jsonb_typeof(body->'at_min') IS DISTINCT FROM 'number' THEN
                    RAISE EXCEPTION 'not an event' USING ERRCODE = 'IVN01';
                END IF;
            EXCEPTION WHEN invalid_text_representation OR sqlstate 'IVN01' THEN
                RAISE EXCEPTION 'event #% of chair % is not an event (its body is not a JSON object with a kind and a '
                    'time): not sent', p_seqs[i] + 1, s.chair USING ERRCODE = 'IVN01';
            END;
            PERFORM ivig_shape(p_seqs[i], body, s.chair);
            PERFORM ivig_sequence(s.id, p_seqs[i], body, s.chair, coalesce(was_started, false) OR started,
                                  coalesce(was_ended, false) OR ended);
            IF p_walls[i] IS NULL OR p_walls[i] <> p_walls[i] OR abs(p_walls[i]) = 'Infinity'::float8 THEN
                RAISE EXCEPTION 'event #% of chair % has no time', p_seqs[i] + 1, s.chair USING ERRCODE = 'IVN01';
            END IF;
            IF prev IS NULL THEN  -- this infusion's own chain: after its last event
                SELECT ev.hash INTO prev FROM events ev WHERE ev.session_id = s.id AND ev.seq = n_have - 1;
                prev := coalesce(prev, repeat('0', 64));
            END IF;
            h := encode(sha256(convert_to(prev || E'\n' || ivig_payload(s.id, s.uid, s.chair, s.patient_id,
                     s.training, s.wall_start, s.speed, p_seqs[i], p_walls[i], p_ws[i], p_nurses[i], session_user,
                     rec, p_bodies[i]), 'UTF8')), 'hex');
            INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash, workstation, nurse, received, form,
                               login, epoch)
                VALUES (s.id, p_seqs[i], s.uid || ':' || p_seqs[i], p_walls[i], p_bodies[i], prev, h, p_ws[i],
                        p_nurses[i], now(), 3, session_user, l.epoch);
            ended := ended OR ivig_ends(body);
            started := started OR body->>'kind' = 'start';
            prev := h;
            n_have := n_have + 1;
            n_added := n_added + 1;
        ELSE
            RAISE EXCEPTION 'the unit server holds % events of chair % but this workstation would send #% next '
                '(a gap): not sent', n_have, s.chair, p_seqs[i] + 1 USING ERRCODE = 'IVG01';
        END IF;
    END LOOP;
    IF fresh AND NOT ended THEN
        -- A new infusion: one active per patient and per chair (store/active.py), as the server's own record
        -- says (one that arrives already ended is history, in nobody's way). Two workstations that start one
        -- for the same patient, or on the same chair, at the same moment take turns on a lock of that
        -- patient's and of that chair's (never one of the unit's: nobody else waits), so the second sees the
        -- first. Taken after the caller and its lease were checked, patient before chair (no deadlock).
        IF NOT s.training AND coalesce(btrim(s.patient_id), '') <> '' THEN
            PERFORM pg_advisory_xact_lock({ACTIVE_LOCK}, hashtext('patient ' || btrim(s.patient_id)));
        END IF;
        PERFORM pg_advisory_xact_lock({ACTIVE_LOCK}, hashtext('chair ' || ivig_chair_key(s.chair)));
        SELECT * INTO a FROM ivig_active(s.uid, s.chair, s.patient_id, s.training) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'chair %: another active infusion (%) is on chair % (workstation %)', s.chair,
                a.rule, a.chair, a.workstation USING ERRCODE = '{ACTIVE}',
                DETAIL = json_build_object('rule', a.rule, 'chair', a.chair, 'patient_id', a.patient_id,
                    'training', a.training, 'workstation', a.workstation, 'wall_start', a.wall_start,
                    'status', a.status, 'uid', a.uid, 'new_chair', s.chair, 'new_patient', s.patient_id)::text;
        END IF;
    END IF;
    IF n_added > 0 THEN
        INSERT INTO heads(session_id, n, hash) VALUES (s.id, n_have, prev)
            ON CONFLICT (session_id) DO UPDATE SET n = EXCLUDED.n, hash = EXCLUDED.hash;
        INSERT INTO chairs(session_id, n_events, last_wall, alive, ended, started)
            VALUES (s.id, n_have, p_walls[array_length(p_walls, 1)], now(), ended, started)
            ON CONFLICT (session_id) DO UPDATE SET n_events = EXCLUDED.n_events, last_wall = EXCLUDED.last_wall,
                alive = now(), updated = now(), ended = chairs.ended OR EXCLUDED.ended,
                started = chairs.started OR EXCLUDED.started;
        PERFORM pg_notify('{CHANNEL}', s.id::text);
    END IF;
    RETURN QUERY SELECT n_have, n_added, l.epoch,
        (SELECT ev.hash FROM events ev WHERE ev.session_id = s.id AND ev.seq = n_have - 1);
END $$"""),
    ("ivig_heads(text, text, text[], integer[])", rf"""
CREATE OR REPLACE FUNCTION ivig_heads(p_installation text, p_instance text, p_uids text[], p_upto integer[])
RETURNS TABLE(uid text, n integer, hash_at text, digest text, mine boolean, holder text, epoch bigint,
              since double precision) {DEFINER} AS $$
DECLARE st stations; s sessions; l leases; m integer;
BEGIN
    st := ivig_station(p_installation, p_instance);
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        IF NOT FOUND THEN
            RETURN QUERY SELECT p_uids[i], 0, NULL::text, NULL::text, NULL::boolean, NULL::text, NULL::bigint,
                NULL::float8;
            CONTINUE;
        END IF;
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id;
        SELECT coalesce(max(ev.seq) + 1, 0) INTO m FROM events ev WHERE ev.session_id = s.id;
        RETURN QUERY SELECT p_uids[i], m,
            (SELECT ev.hash FROM events ev WHERE ev.session_id = s.id AND ev.seq = p_upto[i] - 1),
            (SELECT encode(sha256(convert_to(string_agg(ev.body, E'\n' ORDER BY ev.seq), 'UTF8')), 'hex')
               FROM events ev WHERE ev.session_id = s.id AND ev.seq < least(p_upto[i], m)),
            l.installation = st.installation AND l.login = st.login, l.workstation, l.epoch,
            extract(epoch FROM l.since)::float8;
    END LOOP;
END $$"""),
]

# The functions a workstation may call (the others are used only inside them, and nobody else may).
CALLABLE = ("ivig_hello(text, text, text)",
            "ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[], boolean)",
            "ivig_take(text, text, text)", "ivig_beat(text, text, text[], bigint[])",
            "ivig_heads(text, text, text[], integer[])", "ivig_vouch(text, text, text[], bigint[])",
            "ivig_active(text, text, text, boolean)")
