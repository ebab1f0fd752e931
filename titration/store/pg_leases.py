"""The unit server's lease functions (SECURITY DEFINER; see pg_functions.py for the rest).

- `ivig_lease_check`: what the caller may do with an infusion's lease: drive it ('mine'), claim it
  ('claim': it holds a later epoch than a record a restore brought back), only re-send what the
  server once confirmed to it ('heal'); otherwise the refusal.
- `ivig_hold` (used inside `ivig_append` only): the caller's lease on an infusion, checked on a
  plain read, then locked, then checked again: another workstation's live lease is never locked.
- `ivig_take`: take over an infusion whose lease has expired; the epoch goes up by one.
- `ivig_beat`: renew the caller's own leases (a row it cannot lock at once is renewed next time).
- `ivig_vouch`: the caller renewed these leases, at these epochs, less than a lease's length ago
  (by its own clocks): no takeover can have happened since, so a lease in doubt is its own again.

The restore rule. A restore from a backup can make the server forget takeovers, and even whole
infusions. Each lease row keeps the database's incarnation (`ivig_incarnation`: the cluster, its
timeline, the database and the leases table, which a restore replaces) from when it was last
written. After a restore:
- a lease that expired in a row from an earlier incarnation is "in doubt": another workstation may
  have taken it over in what the restore lost. So is the lease of an infusion the server lost
  entirely ("recreated after a restore": a sender that holds an epoch for an infusion the server
  does not know). Its holder re-sends what the server once confirmed to it, but drives it again
  only if it vouches, or a nurse takes the chair over again (a new epoch).
- a workstation that holds a later epoch than the restored record (a takeover the restore lost)
  claims the lease at that epoch; a claim, and a recreated lease, give way to a still later epoch
  (the later takeover wins, whoever comes back first). A higher epoch is accepted nowhere else:
  the server gives epochs, one at a time.
- a chair a nurse took over on the restored server (ivig_take) is final: an epoch from the lost
  history is refused there as taken over.
The server cannot check a vouch or a claimed epoch: it is a workstation login's word, written to
`lease_log` and the server's log.

Every epoch a lease has had is kept in `lease_log` (who, how, when on the server's clock).
"""
from __future__ import annotations

from .pg_common import CHANNEL, CLAIM_WINDOW_S, DEFINER, EXPIRES, LAPSED

# a lease in doubt: expired, in a row written by an earlier incarnation of the database (restored)
_DOUBT = "({l}.expires <= now() AND {l}.incarnation IS DISTINCT FROM ivig_incarnation())"
# how a lease was given when a later epoch may still replace it (the later takeover wins)
_GIVE_WAY = ("claimed after a restore", "recreated after a restore")
_GIVES = ", ".join(f"'{h}'" for h in _GIVE_WAY)
# epochs follow the server's clock after a restore (ivig_epoch_now): one far above it was never given
EPOCH_SLACK = 100_000
_SUPERSEDABLE = "ivig_gives_way({l})"
_RESTORED_HISTORY = "ivig_restored({l})"
_LOG = ("INSERT INTO lease_log(session_id, epoch, installation, label, login, how) "
        "VALUES ({sid}, {epoch}, st.installation, st.label, st.login, {how})")

LEASE_FUNCTIONS: list[tuple[str, str]] = [
    ("ivig_incarnation()", r"""
CREATE OR REPLACE FUNCTION ivig_incarnation() RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
-- Which copy of the database this is: a restore (pg_restore, a new cluster, a point-in-time recovery)
-- changes at least one of these; the rows it brings back keep the value they were written with.
-- The timeline is the one WAL is written on now: a recovery ended by promotion writes on its new
-- timeline at once, while the last checkpoint's names the old one for minutes.
DECLARE v text := (SELECT oid::text FROM pg_database WHERE datname = current_database()) || ':'
                  || 'public.leases'::regclass::oid::text;
BEGIN
    BEGIN
        v := v || ':' || (SELECT system_identifier::text FROM pg_control_system())
               || ':' || CASE WHEN pg_is_in_recovery() THEN (SELECT timeline_id::text FROM pg_control_checkpoint())
                         ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int::text END;
    EXCEPTION WHEN insufficient_privilege THEN
        NULL;  -- an administrator took these away: the database and table are still told apart
    END;
    RETURN md5(v);
END $$"""),
    ("ivig_epoch_now()", r"""
CREATE OR REPLACE FUNCTION ivig_epoch_now() RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    -- seconds since 2020 on the server's clock: an epoch given after a restore is above any the restore
    -- may have forgotten (those were given earlier), however many restores there were
    SELECT floor(extract(epoch FROM now()) - 1577836800)::bigint
$$"""),
    ("ivig_gives_way(leases)", rf"""
CREATE OR REPLACE FUNCTION ivig_gives_way(l leases) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    -- a later epoch may claim this lease: it is in doubt (expired, and restored, or given by a claim or a
    -- recreation after a restore): nobody drives it. A live lease never gives way.
    SELECT l.expires <= now() AND (l.incarnation IS DISTINCT FROM ivig_incarnation() OR coalesce(g.how IN ({_GIVES}),
                                                                                              false))
    FROM (SELECT NULL) AS one LEFT JOIN LATERAL (
        SELECT x.how FROM lease_log x WHERE x.session_id = l.session_id AND x.epoch = l.epoch
        ORDER BY x.id DESC LIMIT 1) g ON true
$$"""),
    ("ivig_restored(leases)", r"""
CREATE OR REPLACE FUNCTION ivig_restored(l leases) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
    -- the lease went through a restore: epochs from the history it lost may still come back
    SELECT l.incarnation IS DISTINCT FROM ivig_incarnation()
        OR EXISTS (SELECT 1 FROM lease_log g WHERE g.session_id = l.session_id AND g.how LIKE '%after a restore')
$$"""),
    ("ivig_lease_check(leases, stations, bigint, text, boolean)", rf"""
CREATE OR REPLACE FUNCTION ivig_lease_check(l leases, st stations, p_epoch bigint, p_chair text, p_heal boolean)
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, public, pg_temp AS $$
-- 'mine': the caller's lease; 'claim': the caller holds a later epoch than a record a restore brought
-- back, or than a claim made since (see the module); 'heal': its own lease is in doubt, and it only
-- re-sends what the server once confirmed to it (p_heal): the lease is left as it is. Otherwise the
-- refusal, raised.
DECLARE detail text := json_build_object('holder', l.workstation, 'epoch', l.epoch, 'login', l.login,
                                         'since', extract(epoch FROM l.since)::float8)::text;
        own boolean := l.installation = st.installation AND l.login = st.login;
BEGIN
    IF own AND p_epoch < l.epoch AND NOT (p_epoch = 0 AND l.epoch = 1) THEN
        RAISE EXCEPTION 'chair % was taken over by another workstation and back since these events were '
            'recorded here: they are kept on this workstation, not sent', p_chair
            USING ERRCODE = 'IVF01', DETAIL = detail;
    END IF;
    IF NOT own AND p_epoch <= l.epoch THEN
        RAISE EXCEPTION 'chair % is now driven from workstation % (login %, taken over at % by the server''s clock): '
            'read-only here; what this workstation recorded after that is kept here, not sent', p_chair,
            l.workstation, l.login, to_char(l.since, 'HH24:MI') USING ERRCODE = 'IVF01', DETAIL = detail;
    END IF;
    IF p_epoch > l.epoch THEN
        IF p_epoch > ivig_epoch_now() + {EPOCH_SLACK} THEN
            RAISE EXCEPTION 'chair %: epoch % was never given by the unit server: not sent', p_chair, p_epoch
                USING ERRCODE = 'IVN01';
        END IF;
        IF {_SUPERSEDABLE.format(l='l')} THEN
            RETURN 'claim';  -- a heal too: the later epoch is the later takeover, whatever it sends
        END IF;
        IF {_RESTORED_HISTORY.format(l='l')} THEN
            RAISE EXCEPTION 'chair % has been driven from workstation % (login %) since the unit server was restored '
                'from a backup: this workstation''s hold came from the history the restore lost. Read-only here; what '
                'it recorded is kept here, not sent', p_chair, l.workstation, l.login
                USING ERRCODE = 'IVF01', DETAIL = detail;
        END IF;
        -- epochs are the server's to give: a higher one than its record, which no restore replaced, is made up
        RAISE EXCEPTION 'chair %: epoch % was never given by the unit server (its lease is at epoch %): not sent',
            p_chair, p_epoch, l.epoch USING ERRCODE = 'IVN01';
    END IF;
    IF {_DOUBT.format(l='l')} THEN
        IF p_heal THEN
            RETURN 'heal';
        END IF;
        RAISE EXCEPTION 'the unit server was restored from a backup that may lack a takeover of chair % (its '
            'record of this workstation''s hold ends at % by the server''s clock): another workstation may have '
            'taken the chair over since, in what the restore lost. This workstation''s events wait here, not sent, '
            'until that workstation comes back, or a nurse takes the chair over again', p_chair,
            to_char(l.renewed, 'HH24:MI') USING ERRCODE = '{LAPSED}', DETAIL = detail;
    END IF;
    RETURN 'mine';
END $$"""),
    ("ivig_hold(bigint, text, text, bigint, boolean)", rf"""
CREATE OR REPLACE FUNCTION ivig_hold(p_sid bigint, p_installation text, p_instance text, p_epoch bigint,
                                     p_heal boolean) RETURNS leases {DEFINER} AS $$
DECLARE st stations; s sessions; l leases; how text; opened timestamptz; top bigint;
BEGIN
    st := ivig_station(p_installation, p_instance);
    SELECT * INTO s FROM sessions WHERE id = p_sid;
    IF p_epoch IS NULL OR p_epoch < 0 OR p_epoch > 1000000000 THEN
        RAISE EXCEPTION 'an epoch out of range' USING ERRCODE = 'IVN01';
    END IF;
    SELECT * INTO l FROM leases WHERE session_id = s.id;  -- a plain read: no lock on another's lease
    IF NOT FOUND AND p_epoch > ivig_epoch_now() + {EPOCH_SLACK} THEN
        RAISE EXCEPTION 'chair %: epoch % was never given by the unit server: not sent', s.chair, p_epoch
            USING ERRCODE = 'IVN01';
    END IF;
    IF NOT FOUND THEN
        -- epoch 0: a new infusion, held at epoch 1. A sender that holds an epoch had it from this server, which
        -- has lost the infusion (restored): the lease is recreated at that epoch, in doubt (see the module).
        INSERT INTO leases(session_id, workstation, nurse, expires, since, installation, login, epoch, renewed,
                           incarnation)
            VALUES (s.id, st.label, NULL, CASE WHEN p_epoch = 0 THEN {EXPIRES} ELSE now() END, now(),
                    st.installation, st.login, greatest(p_epoch, 1), now(),
                    CASE WHEN p_epoch = 0 THEN ivig_incarnation() END)
            ON CONFLICT (session_id) DO NOTHING RETURNING * INTO l;
        IF FOUND THEN
            INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                VALUES (s.id, l.epoch, st.installation, st.label, st.login,
                        CASE WHEN p_epoch = 0 THEN 'new' ELSE 'recreated after a restore' END);
            IF p_epoch > 0 THEN
                PERFORM ivig_lease_check(l, st, p_epoch, s.chair, p_heal);  -- in doubt: only a heal goes on
            END IF;
            RETURN l;
        END IF;
        SELECT * INTO l FROM leases WHERE session_id = s.id;
    END IF;
    PERFORM ivig_lease_check(l, st, p_epoch, s.chair, p_heal);  -- refused here without a lock taken
    SELECT * INTO l FROM leases WHERE session_id = s.id FOR UPDATE;  -- the caller's own, an expired or a lost one
    how := ivig_lease_check(l, st, p_epoch, s.chair, p_heal);  -- again, under the lock
    IF how = 'mine' THEN
        UPDATE leases SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
            WHERE session_id = s.id RETURNING * INTO l;
    ELSIF how = 'claim' THEN
        -- Every workstation that holds a later epoch than this lease in doubt says so here; the window opens
        -- with the first, and when it closes the highest epoch heard is the later takeover: it is granted the
        -- lease at that epoch, with the events it sends then; the others are told, read-only. Until then
        -- nothing is stored (pending: an epoch of -1 to ivig_append), so who comes back first decides nothing.
        -- A claim names the copy of the database it was made in: one a backup brought back (made while claims
        -- were being compared) counts for nothing, so the window opens afresh on this copy.
        INSERT INTO claims(session_id, over_epoch, installation, epoch, label, login, incarnation)
            VALUES (s.id, l.epoch, st.installation, p_epoch, st.label, st.login, ivig_incarnation())
            ON CONFLICT (session_id, over_epoch, installation) DO UPDATE SET
                epoch = CASE WHEN claims.incarnation IS DISTINCT FROM EXCLUDED.incarnation THEN EXCLUDED.epoch
                             ELSE greatest(claims.epoch, EXCLUDED.epoch) END,
                at = CASE WHEN claims.incarnation IS DISTINCT FROM EXCLUDED.incarnation THEN now() ELSE claims.at END,
                incarnation = EXCLUDED.incarnation;
        SELECT min(c.at), max(c.epoch) INTO opened, top FROM claims c WHERE c.session_id = s.id
            AND c.over_epoch = l.epoch AND c.incarnation = ivig_incarnation();
        IF p_epoch < top THEN
            RAISE EXCEPTION 'chair %: a workstation that took it over later (epoch %) came back after the unit server '
                'was restored: read-only here; what this workstation recorded is kept here, not sent', s.chair, top
                USING ERRCODE = 'IVF01';
        END IF;
        IF now() < opened + make_interval(secs => {CLAIM_WINDOW_S}) THEN
            l.epoch := -1;  -- pending: the caller sends again, and learns at the window's close
            RETURN l;
        END IF;
        UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
            epoch = p_epoch, since = now(), renewed = now(), expires = {EXPIRES}, incarnation = ivig_incarnation()
            WHERE session_id = s.id RETURNING * INTO l;
        INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
            VALUES (s.id, l.epoch, st.installation, st.label, st.login, 'claimed after a restore');
        PERFORM pg_notify('{CHANNEL}', s.id::text);
    ELSE  -- 'heal': the lease is left as it is; the server cannot tell what it once confirmed, so it is logged
        RAISE LOG 'ivig: workstation % (login %) re-sends events of chair % (its lease in doubt, epoch %)', st.label,
            st.login, s.chair, p_epoch;
    END IF;
    RETURN l;
END $$"""),
    ("ivig_take(text, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_take(p_installation text, p_instance text, p_uid text)
RETURNS TABLE(session_id bigint, chair text, from_label text, was_mine boolean, epoch bigint,
              server_now double precision, last_alive double precision, last_received double precision)
{DEFINER} AS $$
DECLARE st stations; s sessions; l leases; mine boolean; doubt boolean; lost boolean; alive double precision;
        was text;
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
                    VALUES (s.id, 1, st.installation, st.label, st.login, 'take');
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
        -- After a restore the takeover's epoch follows the server's clock, above every epoch the restore may
        -- have forgotten: a nurse's takeover on the restored server is the latest, and stays so through
        -- another restore of the same backup.
        lost := {_RESTORED_HISTORY.format(l='l')};
        IF mine AND NOT doubt THEN
            UPDATE leases SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
                WHERE leases.session_id = s.id RETURNING * INTO l;
        ELSE
            IF l.epoch >= 1000000000 THEN
                RAISE EXCEPTION 'chair %: its lease is at epoch %, beyond any the unit server gives: the unit''s '
                    'administrator must look at it (lease_log)', s.chair, l.epoch USING ERRCODE = 'IVN01';
            END IF;
            UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
                epoch = CASE WHEN lost THEN greatest(l.epoch + 1, ivig_epoch_now()) ELSE l.epoch + 1 END,
                since = now(), renewed = now(), expires = {EXPIRES}, incarnation = ivig_incarnation()
                WHERE leases.session_id = s.id RETURNING * INTO l;
            INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                VALUES (s.id, l.epoch, st.installation, st.label, st.login,
                        CASE WHEN mine THEN 'taken again after a restore'
                             WHEN lost THEN 'taken over after a restore' ELSE 'take' END);
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
-- held: true (renewed), NULL (its own, in doubt after a restore, or one in doubt it holds a later epoch of:
-- not renewed), false (another's, or an epoch it does not hold). A beat never claims: a claim comes with
-- the events it sends (ivig_append), which must agree with the server's record.
DECLARE st stations; s sessions; l leases; got bigint; own boolean;
BEGIN
    st := ivig_station(p_installation, p_instance);
    UPDATE stations SET seen = now() WHERE installation = st.installation;
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        CONTINUE WHEN NOT FOUND;  -- not on the server yet: its events are on their way
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id;  -- a plain read: another's lease is never locked
        CONTINUE WHEN NOT FOUND;
        own := l.installation = st.installation AND l.login = st.login;
        IF own AND (l.epoch = p_epochs[i] OR (p_epochs[i] = 0 AND l.epoch = 1)) AND {_DOUBT.format(l='l')} THEN
            -- its own, but in doubt after a restore: not renewed by a beat (held unknown: NULL)
            RETURN QUERY SELECT p_uids[i], NULL::boolean, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        ELSIF p_epochs[i] > l.epoch AND ivig_gives_way(l) THEN
            -- a lease in doubt that the caller holds a later epoch of: its claim is (or will be) compared, so
            -- it is not told it was taken over (held unknown: NULL)
            RETURN QUERY SELECT p_uids[i], NULL::boolean, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        ELSIF own AND (l.epoch = p_epochs[i] OR (p_epochs[i] = 0 AND l.epoch = 1)) THEN
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
-- The caller renewed these leases, at these epochs, less than a lease's length ago by its own clocks (the
-- outbox asks only then): nobody can have taken them over since, whatever a restore forgot, so its own lease
-- at that epoch is renewed, in doubt or not. Nothing else: another's lease, another epoch (a later epoch
-- claims with its events, ivig_append). The server cannot check the word: each vouch for a lease in doubt
-- is written to lease_log and the server's log.
DECLARE st stations; s sessions; l leases; n integer; unsure boolean;
BEGIN
    st := ivig_station(p_installation, p_instance);
    FOR i IN 1 .. coalesce(array_length(p_uids, 1), 0) LOOP
        SELECT * INTO s FROM sessions x WHERE x.uid = p_uids[i];
        CONTINUE WHEN NOT FOUND OR p_epochs[i] IS NULL OR p_epochs[i] < 1 OR p_epochs[i] > 1000000000;
        SELECT * INTO l FROM leases x WHERE x.session_id = s.id;  -- a plain read first
        CONTINUE WHEN NOT FOUND;
        unsure := {_DOUBT.format(l='l')};  -- else an everyday renewal: nothing to log
        IF l.installation = st.installation AND l.login = st.login AND l.epoch = p_epochs[i] THEN
            UPDATE leases x SET expires = {EXPIRES}, renewed = now(), incarnation = ivig_incarnation()
                WHERE x.session_id = s.id AND x.installation = st.installation AND x.epoch = p_epochs[i];
        ELSE
            RETURN QUERY SELECT p_uids[i], false;
            CONTINUE;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n > 0 AND unsure THEN
            INSERT INTO lease_log(session_id, epoch, installation, label, login, how)
                VALUES (s.id, p_epochs[i], st.installation, st.label, st.login, 'vouched after a restore');
            RAISE LOG 'ivig: workstation % (login %) vouched for chair % at epoch %', st.label, st.login, s.chair,
                p_epochs[i];
        END IF;
        IF n > 0 THEN
            PERFORM pg_notify('{CHANNEL}', s.id::text);
        END IF;
        RETURN QUERY SELECT p_uids[i], n > 0;
    END LOOP;
END $$"""),
]
