"""The unit server's functions: the only way a workstation writes (SECURITY DEFINER, run as the
owner role; workstations may call them and read, nothing else).

- `ivig_hello`: a workstation's connection says which installation it is. A session-level
  advisory lock per installation id means two live workstations with one id (a copied disk
  image) cannot both write: the second is refused. An id belongs to the login that first used
  it, so knowing another workstation's id does not let another login act as it. Every other
  function checks that the calling connection is the one that said hello.
- `ivig_append`: one infusion's events. The lease and its epoch (fencing token) are checked, the
  per-infusion sequence too; an event whose number the server holds with other content is
  refused (never dropped as a duplicate); the hash chain is computed here, on the server's
  clock, over the event, its infusion's identity, who recorded it and which login sent it.
- `ivig_take`: take over an infusion whose lease has expired; the epoch goes up, so whatever the
  old holder sends from then on is refused.
- `ivig_beat`: renew this workstation's leases; says which of them another workstation holds now.
- `ivig_heads`: what the server holds of each infusion (count, hash, a digest of the bodies), so
  a workstation can re-send what a restored server lost and notice a record changed on the server.

Expiry, takeover and "how long was it away" use the server's clock (now()), never a
workstation's. Errors carry SQLSTATEs of our own (class IV) that the client reads.
"""
from __future__ import annotations

CHANNEL = "ivig_unit"  # NOTIFY: the infusion's id on every change, for the boards
LEASE_S = 90  # a workstation that has not renewed its hold for this long has crashed or is cut off
LOCK_SPACE = 4952  # the advisory-lock key space of workstation ids
ACTIVE_LOCK = 4953  # taken while a new infusion is checked against the active ones

# SQLSTATEs
STATION = "IVS01"  # this connection has not said hello
DUPLICATE = "IVD01"  # another live connection uses this installation id
OTHER_LOGIN = "IVD02"  # this installation id was registered by another login
FENCED = "IVF01"  # another workstation took the infusion over: read-only here
HELD = "IVH01"  # another workstation holds the infusion (its lease is live)
CONFLICT = "IVC01"  # an event number the server holds with other content
IDENTITY = "IVC02"  # the infusion's identity differs on the server
GAP = "IVG01"  # events missing before the ones sent
BAD = "IVN01"  # a name with a control character, a body that is not an event
UNKNOWN = "IVN02"  # no such infusion on the server
ACTIVE = "IVA01"  # the patient, or the chair, already has an active infusion (store/active.py)

_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"
NOT_ACTIVE_SQL = "('completed', 'stopped', 'closed', 'set-aside')"  # store/active.py NOT_ACTIVE

FUNCTIONS: list[tuple[str, str]] = [
    ("ivig_payload(bigint, text, text, text, boolean, double precision, double precision, integer, "
     "double precision, text, text, text, double precision, text)", r"""
CREATE OR REPLACE FUNCTION ivig_payload(p_sid bigint, p_uid text, p_chair text, p_patient text, p_training boolean,
    p_wall_start double precision, p_speed double precision, p_seq integer, p_wall double precision, p_ws text,
    p_nurse text, p_login text, p_received double precision, p_body text)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '~' ELSE length(f) || ':' || f END, '' ORDER BY i)
    FROM unnest(ARRAY[p_sid::text, p_uid, p_chair, p_patient, CASE WHEN p_training THEN 't' ELSE 'f' END,
        encode(float8send(p_wall_start), 'hex'), encode(float8send(p_speed), 'hex'), p_seq::text,
        encode(float8send(p_wall), 'hex'), p_ws, p_nurse, p_login, encode(float8send(p_received), 'hex'), p_body])
        WITH ORDINALITY AS t(f, i)
$$"""),
    ("ivig_name(text, text)", r"""
CREATE OR REPLACE FUNCTION ivig_name(p_field text, p_value text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
BEGIN
    IF p_value ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029]' THEN
        RAISE EXCEPTION '% holds a control character: not allowed in a name', p_field USING ERRCODE = 'IVN01';
    END IF;
    IF length(p_value) > 200 THEN
        RAISE EXCEPTION '% is longer than 200 characters', p_field USING ERRCODE = 'IVN01';
    END IF;
END $$"""),
    ("ivig_chair_key(text)", r"""
CREATE OR REPLACE FUNCTION ivig_chair_key(p_chair text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog AS $$
    SELECT regexp_replace(lower(regexp_replace(btrim(coalesce(p_chair, '')), '\s+', ' ', 'g')), '\s*/\s*', '/', 'g')
$$"""),
    ("ivig_active(text, text, text, boolean)", rf"""
CREATE OR REPLACE FUNCTION ivig_active(p_uid text, p_chair text, p_patient text, p_training boolean)
RETURNS TABLE(rule text, chair text, patient_id text, training boolean, workstation text, wall_start double precision,
              status text, uid text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
    -- the unit's active infusions in the way of a new one (store/active.py): its patient's, then its chair's
    SELECT CASE WHEN NOT p_training AND NOT s.training AND coalesce(btrim(p_patient), '') <> ''
                     AND btrim(s.patient_id) = btrim(p_patient) THEN 'patient' ELSE 'chair' END,
           s.chair, s.patient_id, s.training, coalesce(CASE WHEN l.expires > now() THEN l.workstation END,
           l.workstation, s.workstation), s.wall_start, coalesce(c.status, 'planned'), s.uid
    FROM sessions s LEFT JOIN chairs c ON c.session_id = s.id LEFT JOIN leases l ON l.session_id = s.id
    WHERE coalesce(c.status, 'planned') NOT IN {NOT_ACTIVE_SQL} AND s.uid IS DISTINCT FROM p_uid
      AND ((NOT p_training AND NOT s.training AND coalesce(btrim(p_patient), '') <> ''
            AND btrim(s.patient_id) = btrim(p_patient))
           OR (p_chair IS NOT NULL AND ivig_chair_key(s.chair) = ivig_chair_key(p_chair)
               AND NOT (p_training AND s.training)))
    ORDER BY 1 DESC, s.id  -- 'patient' before 'chair'
$$"""),
    ("ivig_station(text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_station(p_installation text, p_instance text) RETURNS stations
{_DEFINER} AS $$
DECLARE st stations;
BEGIN
    SELECT * INTO st FROM stations WHERE installation = p_installation;
    IF NOT FOUND OR st.instance IS DISTINCT FROM p_instance OR st.pid <> pg_backend_pid() THEN
        RAISE EXCEPTION 'this connection has not said which workstation it is (or another took its place)'
            USING ERRCODE = 'IVS01';
    END IF;
    RETURN st;
END $$"""),
    ("ivig_hello(text, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_hello(p_installation text, p_instance text, p_label text)
RETURNS TABLE(server_now double precision, stale_pid integer) {_DEFINER} AS $$
DECLARE st stations; got boolean;
BEGIN
    IF p_installation !~ '^[0-9a-f]{{32}}$' OR p_instance !~ '^[0-9a-f]{{32}}$' THEN
        RAISE EXCEPTION 'a workstation id is 32 hexadecimal digits' USING ERRCODE = 'IVN01';
    END IF;
    PERFORM ivig_name('the workstation name', p_label);
    SELECT * INTO st FROM stations WHERE installation = p_installation;
    IF FOUND AND st.login <> session_user THEN  -- an id is its login's: knowing it is not enough
        RAISE EXCEPTION 'this workstation''s id belongs to another login (%): each workstation connects with its '
            'own login; the unit''s administrator can release the id', st.login USING ERRCODE = 'IVD02';
    END IF;
    got := pg_try_advisory_lock({LOCK_SPACE}, hashtext(p_installation));
    SELECT * INTO st FROM stations WHERE installation = p_installation FOR UPDATE;
    IF NOT got THEN
        IF FOUND AND st.pid = pg_backend_pid() THEN
            got := true;
        ELSIF FOUND AND st.instance = p_instance THEN  -- this workstation's older connection, not yet dropped
            RETURN QUERY SELECT extract(epoch FROM now())::float8, st.pid;
            RETURN;
        ELSE
            RAISE EXCEPTION 'another workstation is connected to the unit server with this workstation''s id '
                '(it calls itself %, login %): a copied installation? Each workstation needs its own id '
                '(remove the copy''s outbox to give it one). If this workstation has just restarted, this '
                'clears within 30 s', coalesce(st.label, '?'), coalesce(st.login, '?') USING ERRCODE = 'IVD01';
        END IF;
    END IF;
    INSERT INTO stations(installation, label, login, instance, pid, seen)
        VALUES (p_installation, p_label, session_user, p_instance, pg_backend_pid(), now())
        ON CONFLICT (installation) DO UPDATE SET label = EXCLUDED.label, login = EXCLUDED.login,
            instance = EXCLUDED.instance, pid = EXCLUDED.pid, seen = EXCLUDED.seen;
    RETURN QUERY SELECT extract(epoch FROM now())::float8, NULL::integer;
END $$"""),
    ("ivig_hold(sessions, stations, bigint)", rf"""
CREATE OR REPLACE FUNCTION ivig_hold(s sessions, st stations, p_epoch bigint) RETURNS leases
{_DEFINER} AS $$
DECLARE l leases; detail text;
BEGIN
    SELECT * INTO l FROM leases WHERE session_id = s.id FOR UPDATE;
    IF NOT FOUND THEN  -- a new infusion (or one a restored server lost, with the epoch this workstation holds)
        INSERT INTO leases(session_id, workstation, nurse, expires, since, installation, login, epoch, renewed)
            VALUES (s.id, st.label, NULL, now() + make_interval(secs => {LEASE_S}), now(), st.installation,
                    st.login, greatest(p_epoch, 1), now()) RETURNING * INTO l;
        RETURN l;
    END IF;
    IF l.installation IS NULL AND l.workstation = st.label THEN  -- a lease from before workstations had ids
        l.installation := st.installation;
    END IF;
    detail := json_build_object('holder', l.workstation, 'epoch', l.epoch,
                                'since', extract(epoch FROM l.since)::float8)::text;
    IF l.installation = st.installation THEN
        IF p_epoch < l.epoch AND NOT (p_epoch = 0 AND l.epoch = 1) THEN
            RAISE EXCEPTION 'chair % was taken over by another workstation and back since these events were '
                'recorded here: they are kept on this workstation, not sent', s.chair
                USING ERRCODE = 'IVF01', DETAIL = detail;
        END IF;
    ELSIF p_epoch <= l.epoch THEN
        RAISE EXCEPTION 'chair % is now driven from workstation % (taken over at % by the server''s clock): '
            'read-only here; what this workstation recorded after that is kept here, not sent', s.chair,
            l.workstation, to_char(l.since, 'HH24:MI') USING ERRCODE = 'IVF01', DETAIL = detail;
    ELSIF l.expires > now() THEN
        RAISE EXCEPTION 'chair % is driven from workstation %; it is shown read-only here', s.chair, l.workstation
            USING ERRCODE = 'IVH01', DETAIL = detail;
    END IF;
    -- ours (this epoch), or a takeover a restored server forgot (the old holder's lease has expired)
    UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
        epoch = greatest(l.epoch, p_epoch), expires = now() + make_interval(secs => {LEASE_S}), renewed = now(),
        since = CASE WHEN l.installation = st.installation THEN l.since ELSE now() END
        WHERE session_id = s.id RETURNING * INTO l;
    RETURN l;
END $$"""),
    ("ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[], jsonb)",
     rf"""
CREATE OR REPLACE FUNCTION ivig_append(p_installation text, p_instance text, p_epoch bigint, p_session jsonb,
    p_seqs integer[], p_walls double precision[], p_bodies text[], p_ws text[], p_nurses text[], p_summary jsonb)
RETURNS TABLE(have integer, added integer, epoch bigint, last_hash text) {_DEFINER} AS $$
DECLARE
    st stations; s sessions; l leases; e events; n_have integer; n_added integer := 0; ch_n bigint; prev text;
    h text; rec double precision := extract(epoch FROM now())::float8; k text; a record;
BEGIN
    st := ivig_station(p_installation, p_instance);
    PERFORM set_config('synchronous_commit', 'on', true);  -- "held" means on the server's disk
    FOREACH k IN ARRAY ARRAY['uid', 'chair', 'patient_id', 'product', 'workstation', 'nurse'] LOOP
        PERFORM ivig_name('the infusion''s ' || k, p_session->>k);
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM sessions x WHERE x.uid = p_session->>'uid')
            AND coalesce(p_session->>'status', 'planned') NOT IN {NOT_ACTIVE_SQL} THEN
        -- a new infusion: one active per patient and per chair. The lock makes two workstations that
        -- start one at the same moment take turns, so the second sees the first.
        PERFORM pg_advisory_xact_lock({ACTIVE_LOCK});
        SELECT * INTO a FROM ivig_active(p_session->>'uid', p_session->>'chair', p_session->>'patient_id',
                                         (p_session->>'training')::boolean) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'chair %: another active infusion (%) is on chair % (workstation %)', p_session->>'chair',
                a.rule, a.chair, a.workstation USING ERRCODE = 'IVA01',
                DETAIL = json_build_object('rule', a.rule, 'chair', a.chair, 'patient_id', a.patient_id,
                    'training', a.training, 'workstation', a.workstation, 'wall_start', a.wall_start,
                    'status', a.status, 'uid', a.uid, 'new_chair', p_session->>'chair',
                    'new_patient', p_session->>'patient_id')::text;
        END IF;
    END IF;
    INSERT INTO sessions(uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse)
        VALUES (p_session->>'uid', p_session->>'chair', p_session->>'patient_id', (p_session->>'training')::boolean,
                (p_session->>'wall_start')::float8, coalesce((p_session->>'speed')::float8, 1.0),
                p_session->>'product', coalesce(p_session->>'workstation', ''), coalesce(p_session->>'nurse', ''))
        ON CONFLICT (uid) DO NOTHING;
    SELECT * INTO s FROM sessions WHERE uid = p_session->>'uid';
    IF s.chair IS DISTINCT FROM p_session->>'chair' OR s.patient_id IS DISTINCT FROM p_session->>'patient_id'
            OR s.training IS DISTINCT FROM (p_session->>'training')::boolean
            OR s.wall_start IS DISTINCT FROM (p_session->>'wall_start')::float8
            OR s.speed IS DISTINCT FROM coalesce((p_session->>'speed')::float8, 1.0) THEN
        RAISE EXCEPTION 'the unit server holds this infusion (chair %) with another chair, patient or start: '
            'not sent', s.chair USING ERRCODE = 'IVC02';
    END IF;
    l := ivig_hold(s, st, p_epoch);
    SELECT coalesce(max(ev.seq) + 1, 0) INTO n_have FROM events ev WHERE ev.session_id = s.id;
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
                IF jsonb_typeof(p_bodies[i]::jsonb) IS DISTINCT FROM 'object' THEN
                    RAISE EXCEPTION 'not an object' USING ERRCODE = 'IVN01';
                END IF;
            EXCEPTION WHEN invalid_text_representation OR sqlstate 'IVN01' THEN
                RAISE EXCEPTION 'event #% of chair % is not an event (its body is not a JSON object): not sent',
                    p_seqs[i] + 1, s.chair USING ERRCODE = 'IVN01';
            END;
            IF p_walls[i] IS NULL OR p_walls[i] <> p_walls[i] OR abs(p_walls[i]) = 'Infinity'::float8 THEN
                RAISE EXCEPTION 'event #% of chair % has no time', p_seqs[i] + 1, s.chair USING ERRCODE = 'IVN01';
            END IF;
            IF ch_n IS NULL THEN
                SELECT c.n, c.hash INTO ch_n, prev FROM chain_head c FOR UPDATE;
            END IF;
            h := encode(sha256(convert_to(prev || E'\n' || ivig_payload(s.id, s.uid, s.chair, s.patient_id,
                     s.training, s.wall_start, s.speed, p_seqs[i], p_walls[i], p_ws[i], p_nurses[i], session_user,
                     rec, p_bodies[i]), 'UTF8')), 'hex');
            INSERT INTO events(session_id, seq, uid, wall, body, prev_hash, hash, workstation, nurse, received, form,
                               login)
                VALUES (s.id, p_seqs[i], s.uid || ':' || p_seqs[i], p_walls[i], p_bodies[i], prev, h, p_ws[i],
                        p_nurses[i], now(), 2, session_user);
            prev := h;
            ch_n := ch_n + 1;
            n_have := n_have + 1;
            n_added := n_added + 1;
        ELSE
            RAISE EXCEPTION 'the unit server holds % events of chair % but this workstation would send #% next '
                '(a gap): not sent', n_have, s.chair, p_seqs[i] + 1 USING ERRCODE = 'IVG01';
        END IF;
    END LOOP;
    IF n_added > 0 THEN
        UPDATE chain_head SET n = ch_n, hash = prev;
    END IF;
    IF p_summary IS NOT NULL THEN
        INSERT INTO chairs(session_id, status, summary, n_events, last_wall, alive_wall, alive)
            VALUES (s.id, coalesce(p_summary->>'state', 'planned'), p_summary, n_have,
                    p_walls[array_length(p_walls, 1)], (p_summary->>'alive_wall')::float8, now())
            ON CONFLICT (session_id) DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary,
                n_events = EXCLUDED.n_events, last_wall = coalesce(EXCLUDED.last_wall, chairs.last_wall),
                alive_wall = greatest(chairs.alive_wall, EXCLUDED.alive_wall), alive = now(), updated = now();
    END IF;
    PERFORM pg_notify('ivig_unit', s.id::text);
    RETURN QUERY SELECT n_have, n_added, l.epoch,
        (SELECT ev.hash FROM events ev WHERE ev.session_id = s.id AND ev.seq = n_have - 1);
END $$"""),
    ("ivig_take(text, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_take(p_installation text, p_instance text, p_uid text)
RETURNS TABLE(session_id bigint, chair text, from_label text, was_mine boolean, epoch bigint,
              server_now double precision, last_alive double precision, last_received double precision)
{_DEFINER} AS $$
DECLARE st stations; s sessions; l leases; had boolean; mine boolean; alive double precision; was text;
BEGIN
    st := ivig_station(p_installation, p_instance);
    SELECT * INTO s FROM sessions WHERE uid = p_uid;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the unit server has no infusion %', p_uid USING ERRCODE = 'IVN02';
    END IF;
    SELECT * INTO l FROM leases WHERE leases.session_id = s.id FOR UPDATE;
    had := FOUND;
    mine := had AND (l.installation = st.installation OR (l.installation IS NULL AND l.workstation = st.label));
    was := l.workstation;
    alive := extract(epoch FROM greatest(l.renewed, (SELECT c.alive FROM chairs c WHERE c.session_id = s.id)))::float8;
    IF NOT had THEN
        INSERT INTO leases(session_id, workstation, expires, since, installation, login, epoch, renewed)
            VALUES (s.id, st.label, now() + make_interval(secs => {LEASE_S}), now(), st.installation, st.login, 1,
                    now()) RETURNING * INTO l;
    ELSIF mine THEN
        UPDATE leases SET installation = st.installation, expires = now() + make_interval(secs => {LEASE_S}),
            renewed = now() WHERE leases.session_id = s.id RETURNING * INTO l;
    ELSIF l.expires > now() THEN
        RAISE EXCEPTION 'chair % is driven from workstation %; it is shown read-only here', s.chair, l.workstation
            USING ERRCODE = 'IVH01';
    ELSE
        UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
            epoch = l.epoch + 1, since = now(), renewed = now(), expires = now() + make_interval(secs => {LEASE_S})
            WHERE leases.session_id = s.id RETURNING * INTO l;
    END IF;
    PERFORM pg_notify('ivig_unit', s.id::text);
    RETURN QUERY SELECT s.id, s.chair, was, mine, l.epoch,
        extract(epoch FROM now())::float8, alive,
        (SELECT extract(epoch FROM max(ev.received))::float8 FROM events ev WHERE ev.session_id = s.id);
END $$"""),
    ("ivig_beat(text, text, text[], bigint[])", rf"""
CREATE OR REPLACE FUNCTION ivig_beat(p_installation text, p_instance text, p_uids text[], p_epochs bigint[])
RETURNS TABLE(uid text, held boolean, holder text, epoch bigint, since double precision) {_DEFINER} AS $$
DECLARE st stations; s sessions; l leases;
BEGIN
    st := ivig_station(p_installation, p_instance);
    UPDATE stations SET seen = now() WHERE installation = st.installation;
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        CONTINUE WHEN NOT FOUND;  -- not on the server yet: its events are on their way
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id FOR UPDATE;
        CONTINUE WHEN NOT FOUND;
        IF l.installation IS NULL AND l.workstation = st.label THEN
            l.installation := st.installation;
        END IF;
        IF l.installation = st.installation
                AND (l.epoch = p_epochs[i] OR (p_epochs[i] = 0 AND l.epoch = 1) OR p_epochs[i] > l.epoch) THEN
            UPDATE leases x SET expires = now() + make_interval(secs => {LEASE_S}), renewed = now(),
                installation = st.installation, epoch = greatest(x.epoch, p_epochs[i]) WHERE x.session_id = s.id;
            UPDATE chairs c SET alive = now() WHERE c.session_id = s.id;
            PERFORM pg_notify('ivig_unit', s.id::text);
            RETURN QUERY SELECT p_uids[i], true, l.workstation, greatest(l.epoch, p_epochs[i]),
                extract(epoch FROM l.since)::float8;
        ELSE
            RETURN QUERY SELECT p_uids[i], false, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        END IF;
    END LOOP;
END $$"""),
    ("ivig_heads(text, text, text[], integer[])", rf"""
CREATE OR REPLACE FUNCTION ivig_heads(p_installation text, p_instance text, p_uids text[], p_upto integer[])
RETURNS TABLE(uid text, n integer, hash_at text, digest text, mine boolean, holder text, epoch bigint,
              since double precision) {_DEFINER} AS $$
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
            l.installation = st.installation OR (l.installation IS NULL AND l.workstation = st.label),
            l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
    END LOOP;
END $$"""),
]

# The functions a workstation may call (the others are used only inside them).
CALLABLE = ("ivig_hello", "ivig_append", "ivig_take", "ivig_beat", "ivig_heads", "ivig_active")
