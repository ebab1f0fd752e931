"""The unit server's lease functions (SECURITY DEFINER; see pg_functions.py for the rest).

- `ivig_lease_check`: is this lease the caller's (its installation and login), or expired with the
  caller holding a later epoch (a takeover a restored server forgot); otherwise the refusal.
- `ivig_hold` (used inside `ivig_append` only): the caller's lease on an infusion, checked on a
  plain read, then locked, then checked again: another workstation's live lease is never locked.
- `ivig_take`: take over an infusion whose lease has expired; the epoch goes up by one.
- `ivig_beat`: renew the caller's own leases (a row it cannot lock at once is renewed next time).
- `ivig_vouch`: the caller renewed these leases less than a lease's length ago (by its own clock):
  no takeover can have happened since, so a lease the server's restored record shows lapsed is
  its own again.

A restore from a backup can make the server forget a takeover. Each lease row keeps the
database's incarnation (`ivig_incarnation`: the cluster, its timeline, the database and the
leases table, which a restore replaces) from when it was last written. A lease that has expired
in a row from an earlier incarnation is "in doubt": another workstation may have taken it over
after the backup. Its old holder may not go on by itself (LAPSED: its events stay in its outbox,
shown) unless it vouches that it never let the lease lapse; a workstation that holds a later
epoch (that takeover) claims it; a nurse can take it over again, the old holder too (epoch + 1).

Every epoch a lease has had is kept in `lease_log` (who, how, when on the server's clock).
"""
from __future__ import annotations

from .pg_common import CHANNEL, DEFINER, EXPIRES, LAPSED

# a lease in doubt: expired, in a row written by an earlier incarnation of the database (restored)
_DOUBT = "({l}.expires <= now() AND {l}.incarnation IS DISTINCT FROM ivig_incarnation())"

LEASE_FUNCTIONS: list[tuple[str, str]] = [
    ("ivig_incarnation()", r"""
CREATE OR REPLACE FUNCTION ivig_incarnation() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
-- Which copy of the database this is: a restore (pg_restore, a new cluster, a point-in-time recovery)
-- changes at least one of these; the rows it brings back keep the value they were written with.
DECLARE v text := (SELECT oid::text FROM pg_database WHERE datname = current_database()) || ':'
                  || 'public.leases'::regclass::oid::text;
BEGIN
    BEGIN
        v := v || ':' || (SELECT system_identifier::text FROM pg_control_system())
               || ':' || (SELECT timeline_id::text FROM pg_control_checkpoint());
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;  -- an administrator took these away: the database and table are still told apart
    END;
    RETURN md5(v);
END $$"""),
    ("ivig_lease_check(leases, stations, bigint, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_lease_check(l leases, st stations, p_epoch bigint, p_chair text) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public AS $$
-- true: the caller's lease; false: expired, and the caller holds a later epoch than the server (a
-- takeover a restored server forgot). Otherwise the refusal, raised.
DECLARE detail text := json_build_object('holder', l.workstation, 'epoch', l.epoch, 'login', l.login,
                                         'since', extract(epoch FROM l.since)::float8)::text;
BEGIN
    IF l.installation = st.installation AND l.login = st.login THEN
        IF p_epoch < l.epoch AND NOT (p_epoch = 0 AND l.epoch = 1) THEN
            RAISE EXCEPTION 'chair % was taken over by another workstation and back since these events were '
                'recorded here: they are kept on this workstation, not sent', p_chair
                USING ERRCODE = 'IVF01', DETAIL = detail;
        END IF;
        IF p_epoch > l.epoch AND l.incarnation IS NOT DISTINCT FROM ivig_incarnation() THEN
            -- epochs are the server's to give: a higher one than its record, which no restore replaced, is made up
            RAISE EXCEPTION 'chair %: epoch % was never given by the unit server (its lease is at epoch %): not sent',
                p_chair, p_epoch, l.epoch USING ERRCODE = 'IVN01';
        END IF;
        IF {_DOUBT.format(l='l')} THEN
            RAISE EXCEPTION 'the unit server was restored from a backup taken while this workstation held chair %, '
                'and its hold lapsed after that (the restored record ends at % by the server''s clock): another '
                'workstation may have taken the chair over since, in what the restore lost. This workstation''s '
                'events wait here, not sent, until that workstation comes back, or a nurse takes the chair over '
                'again', p_chair, to_char(l.renewed, 'HH24:MI') USING ERRCODE = '{LAPSED}', DETAIL = detail;
        END IF;
        RETURN true;
    END IF;
    IF p_epoch <= l.epoch THEN
        RAISE EXCEPTION 'chair % is now driven from workstation % (login %, taken over at % by the server''s clock): '
            'read-only here; what this workstation recorded after that is kept here, not sent', p_chair,
            l.workstation, l.login, to_char(l.since, 'HH24:MI') USING ERRCODE = 'IVF01', DETAIL = detail;
    END IF;
    IF l.expires > now() THEN
        RAISE EXCEPTION 'chair % is driven from workstation % (login %); it is shown read-only here', p_chair,
            l.workstation, l.login USING ERRCODE = 'IVH01', DETAIL = detail;
    END IF;
    RETURN false;
END $$"""),
    ("ivig_hold(bigint, text, text, bigint)", rf"""
CREATE OR REPLACE FUNCTION ivig_hold(p_sid bigint, p_installation text, p_instance text, p_epoch bigint)
RETURNS leases {DEFINER} AS $$
DECLARE st stations; s sessions; l leases; mine boolean;
BEGIN
    st := ivig_station(p_installation, p_instance);
    SELECT * INTO s FROM sessions WHERE id = p_sid;
    IF p_epoch IS NULL OR p_epoch < 0 OR p_epoch > 1000000000 THEN
        RAISE EXCEPTION 'an epoch out of range' USING ERRCODE = 'IVN01';
    END IF;
    SELECT * INTO l FROM leases WHERE session_id = s.id;  -- a plain read: no lock on another's lease
    IF NOT FOUND THEN  -- a new infusion (or one a restored server lost): epoch 1, whatever the caller holds
        INSERT INTO leases(session_id, workstation, nurse, expires, since, installation, login, epoch, renewed,
                           incarnation)
            VALUES (s.id, st.label, NULL, {EXPIRES}, now(), st.installation, st.login, 1, now(),
                    -- a caller that held a later epoch: the server lost this lease's history (restored)
                    CASE WHEN p_epoch > 1 THEN NULL ELSE ivig_incarnation() END)
            ON CONFLICT (session_id) DO NOTHING RETURNING * INTO l;
        IF FOUND THEN
            INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                VALUES (s.id, 1, st.installation, st.label, st.login, 'new') ON CONFLICT DO NOTHING;
            RETURN l;
        END IF;
        SELECT * INTO l FROM leases WHERE session_id = s.id;
    END IF;
    PERFORM ivig_lease_check(l, st, p_epoch, s.chair);  -- refused here without a lock taken
    SELECT * INTO l FROM leases WHERE session_id = s.id FOR UPDATE;  -- the caller's own, or an expired one
    mine := ivig_lease_check(l, st, p_epoch, s.chair);  -- again, under the lock
    IF mine THEN
        UPDATE leases SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
            WHERE session_id = s.id RETURNING * INTO l;
    ELSE
        UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
            epoch = l.epoch + 1, since = now(), renewed = now(), expires = {EXPIRES}, incarnation = ivig_incarnation()
            WHERE session_id = s.id RETURNING * INTO l;
        INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
            VALUES (s.id, l.epoch, st.installation, st.label, st.login, 'claimed after a restore')
            ON CONFLICT ON CONSTRAINT lease_log_pkey DO UPDATE SET installation = EXCLUDED.installation,
                label = EXCLUDED.label, login = EXCLUDED.login, how = EXCLUDED.how, at = now();
    END IF;
    RETURN l;
END $$"""),
    ("ivig_take(text, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_take(p_installation text, p_instance text, p_uid text)
RETURNS TABLE(session_id bigint, chair text, from_label text, was_mine boolean, epoch bigint,
              server_now double precision, last_alive double precision, last_received double precision)
{DEFINER} AS $$
DECLARE st stations; s sessions; l leases; mine boolean; doubt boolean; alive double precision; was text;
BEGIN
    st := ivig_station(p_installation, p_instance);
    SELECT * INTO s FROM sessions WHERE uid = p_uid;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the unit server has no infusion %', p_uid USING ERRCODE = 'IVN02';
    END IF;
    FOR attempt IN 1 .. 2 LOOP
        SELECT * INTO l FROM leases WHERE leases.session_id = s.id;  -- a plain read: no lock on a live lease
        IF NOT FOUND THEN
            INSERT INTO leases(session_id, workstation, expires, since, installation, login, epoch, renewed,
                               incarnation)
                VALUES (s.id, st.label, {EXPIRES}, now(), st.installation, st.login, 1, now(), ivig_incarnation())
                ON CONFLICT DO NOTHING RETURNING * INTO l;
            IF FOUND THEN
                INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                    VALUES (s.id, 1, st.installation, st.label, st.login, 'take') ON CONFLICT DO NOTHING;
                EXIT;
            END IF;
            CONTINUE;
        END IF;
        mine := l.installation = st.installation AND l.login = st.login;
        IF NOT mine AND l.expires > now() THEN
            RAISE EXCEPTION 'chair % is driven from workstation % (login %); it is shown read-only here', s.chair,
                l.workstation, l.login USING ERRCODE = 'IVH01';
        END IF;
        SELECT * INTO l FROM leases WHERE leases.session_id = s.id FOR UPDATE;  -- the caller's own, or expired
        mine := l.installation = st.installation AND l.login = st.login;
        IF NOT mine AND l.expires > now() THEN  -- taken by another meanwhile
            RAISE EXCEPTION 'chair % is driven from workstation % (login %); it is shown read-only here', s.chair,
                l.workstation, l.login USING ERRCODE = 'IVH01';
        END IF;
        was := l.workstation;
        alive := extract(epoch FROM greatest(l.renewed,
                                             (SELECT c.alive FROM chairs c WHERE c.session_id = s.id)))::float8;
        doubt := {_DOUBT.format(l='l')};  -- its own, in doubt after a restore: taken again, a new epoch
        IF mine AND NOT doubt THEN
            UPDATE leases SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
                WHERE leases.session_id = s.id RETURNING * INTO l;
        ELSE
            UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
                epoch = l.epoch + 1, since = now(), renewed = now(), expires = {EXPIRES},
                incarnation = ivig_incarnation()
                WHERE leases.session_id = s.id RETURNING * INTO l;
            INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                VALUES (s.id, l.epoch, st.installation, st.label, st.login,
                        CASE WHEN mine THEN 'taken again after a restore' ELSE 'take' END)
                ON CONFLICT ON CONSTRAINT lease_log_pkey DO UPDATE SET installation = EXCLUDED.installation,
                    label = EXCLUDED.label, login = EXCLUDED.login, how = EXCLUDED.how, at = now();
        END IF;
        EXIT;
    END LOOP;
    PERFORM pg_notify('{CHANNEL}', s.id::text);
    RETURN QUERY SELECT s.id, s.chair, was, coalesce(mine AND NOT doubt, false), l.epoch,
        extract(epoch FROM now())::float8, alive,
        (SELECT extract(epoch FROM max(ev.received))::float8 FROM events ev WHERE ev.session_id = s.id);
END $$"""),
    ("ivig_beat(text, text, text[], bigint[])", rf"""
CREATE OR REPLACE FUNCTION ivig_beat(p_installation text, p_instance text, p_uids text[], p_epochs bigint[])
RETURNS TABLE(uid text, held boolean, holder text, epoch bigint, since double precision) {DEFINER} AS $$
DECLARE st stations; s sessions; l leases; got bigint;
BEGIN
    st := ivig_station(p_installation, p_instance);
    UPDATE stations SET seen = now() WHERE installation = st.installation;
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        CONTINUE WHEN NOT FOUND;  -- not on the server yet: its events are on their way
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id;  -- a plain read: another's lease is never locked
        CONTINUE WHEN NOT FOUND;
        IF l.installation = st.installation AND l.login = st.login
                AND (l.epoch <= p_epochs[i] OR (p_epochs[i] = 0 AND l.epoch = 1)) AND {_DOUBT.format(l='l')} THEN
            -- its own, but in doubt after a restore: not renewed by a beat (held unknown: NULL)
            RETURN QUERY SELECT p_uids[i], NULL::boolean, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        ELSIF l.installation = st.installation AND l.login = st.login
                AND (l.epoch <= p_epochs[i] OR (p_epochs[i] = 0 AND l.epoch = 1)) THEN
            UPDATE leases x SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
                WHERE x.session_id IN (SELECT y.session_id FROM leases y WHERE y.session_id = s.id
                                       AND y.installation = st.installation AND y.epoch = l.epoch
                                       FOR UPDATE SKIP LOCKED)
                RETURNING x.session_id INTO got;
            IF got IS NOT NULL THEN
                PERFORM pg_notify('{CHANNEL}', s.id::text);
            END IF;  -- else busy for an instant: renewed at the next beat
            RETURN QUERY SELECT p_uids[i], true, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        ELSE
            RETURN QUERY SELECT p_uids[i], false, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        END IF;
        got := NULL;
    END LOOP;
END $$"""),
    ("ivig_vouch(text, text, text[], bigint[])", rf"""
CREATE OR REPLACE FUNCTION ivig_vouch(p_installation text, p_instance text, p_uids text[], p_epochs bigint[])
RETURNS TABLE(uid text, renewed boolean) {DEFINER} AS $$
-- The caller renewed these leases, at these epochs, less than a lease's length ago by its own clock
-- (the outbox asks only then): nobody can have taken them over since, whatever a restore forgot, so
-- its own leases in doubt are renewed. Nothing else is: another's lease, another epoch, are left.
DECLARE st stations; s sessions; l leases; n integer;
BEGIN
    st := ivig_station(p_installation, p_instance);
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        CONTINUE WHEN NOT FOUND;
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id;  -- a plain read first
        CONTINUE WHEN NOT FOUND OR l.installation IS DISTINCT FROM st.installation OR l.login <> st.login
            OR l.epoch <> p_epochs[i];
        UPDATE leases x SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
            WHERE x.session_id = s.id AND x.installation = st.installation AND x.epoch = p_epochs[i];
        GET DIAGNOSTICS n = ROW_COUNT;
        RETURN QUERY SELECT p_uids[i], n > 0;
    END LOOP;
END $$"""),
]
