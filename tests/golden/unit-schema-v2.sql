--
-- PostgreSQL database dump
--

\restrict UeqeqIdxwXa05FkcerI56VgrglpL4FwewjEpArZ35wLkEdcajeIMNKMHaGz9unw

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: ivig_append(text, text, bigint, jsonb, integer[], double precision[], text[], text[], text[], jsonb); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_append(p_installation text, p_instance text, p_epoch bigint, p_session jsonb, p_seqs integer[], p_walls double precision[], p_bodies text[], p_ws text[], p_nurses text[], p_summary jsonb) RETURNS TABLE(have integer, added integer, epoch bigint, last_hash text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
DECLARE
    st stations; s sessions; l leases; e events; n_have integer; n_added integer := 0; ch_n bigint; prev text;
    h text; rec double precision := extract(epoch FROM now())::float8; k text;
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
END $$;


--
-- Name: ivig_append_only(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'the journal is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;


--
-- Name: ivig_beat(text, text, text[], bigint[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_beat(p_installation text, p_instance text, p_uids text[], p_epochs bigint[]) RETURNS TABLE(uid text, held boolean, holder text, epoch bigint, since double precision)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
            UPDATE leases x SET expires = now() + make_interval(secs => 90), renewed = now(),
                installation = st.installation, epoch = greatest(x.epoch, p_epochs[i]) WHERE x.session_id = s.id;
            UPDATE chairs c SET alive = now() WHERE c.session_id = s.id;
            PERFORM pg_notify('ivig_unit', s.id::text);
            RETURN QUERY SELECT p_uids[i], true, l.workstation, greatest(l.epoch, p_epochs[i]),
                extract(epoch FROM l.since)::float8;
        ELSE
            RETURN QUERY SELECT p_uids[i], false, l.workstation, l.epoch, extract(epoch FROM l.since)::float8;
        END IF;
    END LOOP;
END $$;


--
-- Name: ivig_heads(text, text, text[], integer[]); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_heads(p_installation text, p_instance text, p_uids text[], p_upto integer[]) RETURNS TABLE(uid text, n integer, hash_at text, digest text, mine boolean, holder text, epoch bigint, since double precision)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
END $$;


--
-- Name: ivig_hello(text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_hello(p_installation text, p_instance text, p_label text) RETURNS TABLE(server_now double precision, stale_pid integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $_$
DECLARE st stations; got boolean;
BEGIN
    IF p_installation !~ '^[0-9a-f]{32}$' OR p_instance !~ '^[0-9a-f]{32}$' THEN
        RAISE EXCEPTION 'a workstation id is 32 hexadecimal digits' USING ERRCODE = 'IVN01';
    END IF;
    PERFORM ivig_name('the workstation name', p_label);
    SELECT * INTO st FROM stations WHERE installation = p_installation;
    IF FOUND AND st.login <> session_user THEN  -- an id is its login's: knowing it is not enough
        RAISE EXCEPTION 'this workstation''s id belongs to another login (%): each workstation connects with its '
            'own login; the unit''s administrator can release the id', st.login USING ERRCODE = 'IVD02';
    END IF;
    got := pg_try_advisory_lock(4952, hashtext(p_installation));
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
END $_$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: leases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.leases (
    session_id bigint NOT NULL,
    workstation text NOT NULL,
    nurse text,
    expires timestamp with time zone NOT NULL,
    since timestamp with time zone DEFAULT now() NOT NULL,
    installation text,
    login text,
    epoch bigint DEFAULT 1 NOT NULL,
    renewed timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sessions (
    id bigint NOT NULL,
    uid text NOT NULL,
    chair text NOT NULL,
    patient_id text,
    training boolean NOT NULL,
    wall_start double precision NOT NULL,
    speed double precision DEFAULT 1.0 NOT NULL,
    product text,
    workstation text NOT NULL,
    nurse text NOT NULL,
    created timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: stations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.stations (
    installation text NOT NULL,
    label text NOT NULL,
    login text NOT NULL,
    instance text NOT NULL,
    pid integer NOT NULL,
    seen timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: ivig_hold(public.sessions, public.stations, bigint); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_hold(s public.sessions, st public.stations, p_epoch bigint) RETURNS public.leases
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
DECLARE l leases; detail text;
BEGIN
    SELECT * INTO l FROM leases WHERE session_id = s.id FOR UPDATE;
    IF NOT FOUND THEN  -- a new infusion (or one a restored server lost, with the epoch this workstation holds)
        INSERT INTO leases(session_id, workstation, nurse, expires, since, installation, login, epoch, renewed)
            VALUES (s.id, st.label, NULL, now() + make_interval(secs => 90), now(), st.installation,
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
        epoch = greatest(l.epoch, p_epoch), expires = now() + make_interval(secs => 90), renewed = now(),
        since = CASE WHEN l.installation = st.installation THEN l.since ELSE now() END
        WHERE session_id = s.id RETURNING * INTO l;
    RETURN l;
END $$;


--
-- Name: ivig_name(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_name(p_field text, p_value text) RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
BEGIN
    IF p_value ~ '[\x01-\x1f\x7f-\x9f\u2028\u2029]' THEN
        RAISE EXCEPTION '% holds a control character: not allowed in a name', p_field USING ERRCODE = 'IVN01';
    END IF;
    IF length(p_value) > 200 THEN
        RAISE EXCEPTION '% is longer than 200 characters', p_field USING ERRCODE = 'IVN01';
    END IF;
END $$;


--
-- Name: ivig_payload(bigint, text, text, text, boolean, double precision, double precision, integer, double precision, text, text, text, double precision, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_payload(p_sid bigint, p_uid text, p_chair text, p_patient text, p_training boolean, p_wall_start double precision, p_speed double precision, p_seq integer, p_wall double precision, p_ws text, p_nurse text, p_login text, p_received double precision, p_body text) RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog'
    AS $$
    SELECT string_agg(CASE WHEN f IS NULL THEN '~' ELSE length(f) || ':' || f END, '' ORDER BY i)
    FROM unnest(ARRAY[p_sid::text, p_uid, p_chair, p_patient, CASE WHEN p_training THEN 't' ELSE 'f' END,
        encode(float8send(p_wall_start), 'hex'), encode(float8send(p_speed), 'hex'), p_seq::text,
        encode(float8send(p_wall), 'hex'), p_ws, p_nurse, p_login, encode(float8send(p_received), 'hex'), p_body])
        WITH ORDINALITY AS t(f, i)
$$;


--
-- Name: ivig_station(text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_station(p_installation text, p_instance text) RETURNS public.stations
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
DECLARE st stations;
BEGIN
    SELECT * INTO st FROM stations WHERE installation = p_installation;
    IF NOT FOUND OR st.instance IS DISTINCT FROM p_instance OR st.pid <> pg_backend_pid() THEN
        RAISE EXCEPTION 'this connection has not said which workstation it is (or another took its place)'
            USING ERRCODE = 'IVS01';
    END IF;
    RETURN st;
END $$;


--
-- Name: ivig_take(text, text, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.ivig_take(p_installation text, p_instance text, p_uid text) RETURNS TABLE(session_id bigint, chair text, from_label text, was_mine boolean, epoch bigint, server_now double precision, last_alive double precision, last_received double precision)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'public', 'pg_temp'
    AS $$
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
            VALUES (s.id, st.label, now() + make_interval(secs => 90), now(), st.installation, st.login, 1,
                    now()) RETURNING * INTO l;
    ELSIF mine THEN
        UPDATE leases SET installation = st.installation, expires = now() + make_interval(secs => 90),
            renewed = now() WHERE leases.session_id = s.id RETURNING * INTO l;
    ELSIF l.expires > now() THEN
        RAISE EXCEPTION 'chair % is driven from workstation %; it is shown read-only here', s.chair, l.workstation
            USING ERRCODE = 'IVH01';
    ELSE
        UPDATE leases SET installation = st.installation, workstation = st.label, login = st.login,
            epoch = l.epoch + 1, since = now(), renewed = now(), expires = now() + make_interval(secs => 90)
            WHERE leases.session_id = s.id RETURNING * INTO l;
    END IF;
    PERFORM pg_notify('ivig_unit', s.id::text);
    RETURN QUERY SELECT s.id, s.chair, was, mine, l.epoch,
        extract(epoch FROM now())::float8, alive,
        (SELECT extract(epoch FROM max(ev.received))::float8 FROM events ev WHERE ev.session_id = s.id);
END $$;


--
-- Name: chain_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chain_head (
    one integer NOT NULL,
    n bigint NOT NULL,
    hash text NOT NULL,
    CONSTRAINT chain_head_one_check CHECK ((one = 1))
);


--
-- Name: chairs; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.chairs (
    session_id bigint NOT NULL,
    status text NOT NULL,
    summary jsonb NOT NULL,
    n_events integer NOT NULL,
    last_wall double precision,
    alive_wall double precision,
    updated timestamp with time zone DEFAULT now() NOT NULL,
    alive timestamp with time zone
);


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    session_id bigint NOT NULL,
    seq integer NOT NULL,
    uid text NOT NULL,
    wall double precision NOT NULL,
    body text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    workstation text,
    nurse text,
    received timestamp with time zone DEFAULT now() NOT NULL,
    form smallint DEFAULT 1 NOT NULL,
    login text
);


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;


--
-- Name: schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_version (
    version integer NOT NULL
);


--
-- Name: sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sessions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;


--
-- Name: events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);


--
-- Name: sessions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);


--
-- Data for Name: chain_head; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.chain_head (one, n, hash) FROM stdin;
1	7	bc52045a8c67795fe7be6250868c1117469a58b571c764ab4141749b36639bce
\.


--
-- Data for Name: chairs; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.chairs (session_id, status, summary, n_events, last_wall, alive_wall, updated, alive) FROM stdin;
1	stopped	{"step": 2, "state": "stopped", "steps": 5, "alerts": ["LOW: VITALS DUE: at the end of the infusion"], "at_min": 40, "events": 4, "product": "octagam-10", "next_due": "VITALS DUE: at the end of the infusion", "training": false, "rate_ml_h": 0.0, "volume_ml": 700.0, "chair_state": {"step": 2, "chair": "", "holds": [], "news2": "", "steps": 5, "alerts": [{"kind": "vitals", "text": "VITALS DUE: at the end of the infusion", "grade": "none", "priority": "low", "silenced": false}], "at_min": 40, "events": 4, "finish": "ended 22:53", "status": "stopped", "day_fit": null, "elapsed": "0:40 since the start", "episode": null, "patient": "", "product": "Octagam 10%", "summary": "STOPPED · 0 mL/h · step 2 of 5 · 35 of 700 mL", "next_due": {"at": "now", "what": "VITALS DUE: at the end of the infusion", "at_min": 40}, "proposal": null, "training": false, "next_step": "none: the infusion has ended", "volume_ml": 700.0, "finish_min": 40, "vitals_due": {"at": "now", "what": "at the end of the infusion", "at_min": 40}, "state_words": "STOPPED", "delivered_ml": 35.0, "highest_grade": "none", "pump_rate_ml_h": 0.0, "emergency_steps": []}, "delivered_ml": 35.0, "next_due_min": 40, "product_name": "Octagam 10%", "highest_grade": "none", "next_due_wall": 1700002400.0}	4	1796290870.2949226	\N	2026-12-03 09:41:10.330613+00	2026-12-03 09:41:10.330613+00
2	running	{"step": 1, "state": "running", "steps": 5, "alerts": [], "at_min": 5, "events": 3, "product": "octagam-10", "next_due": "vitals (15 min after the start)", "training": false, "rate_ml_h": 42.0, "volume_ml": 700.0, "chair_state": {"step": 1, "chair": "", "holds": [], "news2": "", "steps": 5, "alerts": [], "at_min": 5, "events": 3, "finish": "01:00, 2 h 41 min left", "status": "running", "day_fit": {"fits": true, "choices": [], "given_g": null, "message": "", "finish_min": 165.8, "remainder_g": null, "stop_at_min": null, "finish_clock": "01:00 (+1 day)"}, "elapsed": "0:05 since the start", "episode": null, "patient": "", "product": "Octagam 10%", "summary": "RUNNING · 42 mL/h · step 1 of 5 · 4 of 700 mL", "next_due": {"at": "22:29", "what": "vitals (15 min after the start)", "at_min": 15.0}, "proposal": null, "training": false, "next_step": "step 2: 84 mL/h at 22:44 (in 25:00)", "volume_ml": 700.0, "finish_min": 165.83, "vitals_due": {"at": "22:29", "what": "15 min after the start", "at_min": 15.0}, "state_words": "RUNNING", "delivered_ml": 3.5, "highest_grade": "none", "pump_rate_ml_h": 42.0, "emergency_steps": []}, "delivered_ml": 3.5, "next_due_min": 15.0, "product_name": "Octagam 10%", "highest_grade": "none", "next_due_wall": 1700000960.0}	3	1796290870.3019233	\N	2026-12-03 09:41:10.349644+00	2026-12-03 09:41:10.354115+00
\.


--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.events (id, session_id, seq, uid, wall, body, prev_hash, hash, workstation, nurse, received, form, login) FROM stdin;
1	1	0	7da4f8798a0f4aa3bff25a3f5a99a976:0	1796290870.2893643	{"at_min":0.0,"kind":"planned","library":{"hash":"sha256:5c8eb1b86adf6ac25673942da5f3d653d4dd7cb4b37255edc4c1d2da99cce962","version":1},"plan":{"concentration_mg_per_ml":100.0,"delivered_at_start_ml":0.0,"dose":{"dose_g":70.0,"prescribed_g":70.0,"rounded":"","vials":[[30.0,2],[10.0,1]],"vials_total_g":70.0,"volume_ml":700.0},"dosing":{"bmi":null,"ideal_kg":null,"kg":70,"method":"actual","reason":"actual body weight"},"limits":[{"as_written":"12 mg/kg/min","cap_ml_h":504.0,"first_step_only":false,"hard":true,"name":"label-max","overridden":null,"source":"label: octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used; pfizerpro.com/product/octagam-10/itp/dosing-administration (L)"},{"as_written":"1 mg/kg/min","cap_ml_h":42.0,"first_step_only":true,"hard":true,"name":"label-initial","overridden":null,"source":"the label's initial rate, a hard limit of the first step (octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used)"}],"notes":["Ladder provenance: the schedule as the manufacturer's HCP pages (octagamusa.com, pfizerpro.com) state it (graded L); the full US prescribing information was not retrieved."],"product_name":"Octagam 10%","protocol_id":"label","protocol_kind":"label","protocol_name":"Octagam 10% label (ITP)","rate_weight_kg":70,"replanned_at_min":null,"request":{"age_years":null,"at_risk":false,"at_risk_cap_mg_kg_min":null,"closing_clock":"18:00","dose_g_per_kg":1.0,"dosing_weight":"actual","first_infusion":false,"height_cm":null,"indication":"itp","max_hours":null,"max_ml_h":null,"overrides":[],"product":"octagam-10","product_switch":false,"protocol":null,"pump_resolution_ml_h":0.1,"round_dose":"none","sex":null,"start_clock":null,"tolerated_max_mg_kg_min":null,"weeks_since_last":null,"weight_kg":70},"rungs":[{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":1.0,"rate_ml_h":42.0,"target_mg_kg_min":1.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":2.0,"rate_ml_h":84.0,"target_mg_kg_min":2.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":4.0,"rate_ml_h":168.0,"target_mg_kg_min":4.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":8.0,"rate_ml_h":336.0,"target_mg_kg_min":8.0},{"limited_by":null,"minutes":null,"rate_mg_kg_min":12.0,"rate_ml_h":504.0,"target_mg_kg_min":12.0}],"sources":["octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used","pfizerpro.com/product/octagam-10/itp/dosing-administration (L)"],"steps":[{"end_min":30.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":1.0,"rate_ml_h":42.0,"rung":0,"start_min":0.0,"volume_ml":21.0},{"end_min":60.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":2.0,"rate_ml_h":84.0,"rung":1,"start_min":30.0,"volume_ml":42.0},{"end_min":90.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":4.0,"rate_ml_h":168.0,"rung":2,"start_min":60.0,"volume_ml":84.0},{"end_min":120.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":8.0,"rate_ml_h":336.0,"rung":3,"start_min":90.0,"volume_ml":168.0},{"end_min":165.83333333333331,"holds_to_end":true,"limited_by":null,"rate_mg_kg_min":12.0,"rate_ml_h":504.0,"rung":4,"start_min":120.0,"volume_ml":385.0}],"table_column_kg":null},"policy":"tiered","training":false,"who":"system"}	0000000000000000000000000000000000000000000000000000000000000000	396f923eb676b66550eb11d3e0a24aef175cb67139d0f9b2c9b2bb24b924d795	bay-a	nurse-a	2026-12-03 09:41:10.330613+00	2	ivig_ws_test
2	1	1	7da4f8798a0f4aa3bff25a3f5a99a976:1	1796290870.2916715	{"at_min":0,"kind":"start","rate_ml_h":42.0,"rung":0,"who":"nurse"}	396f923eb676b66550eb11d3e0a24aef175cb67139d0f9b2c9b2bb24b924d795	bb83031358c95dabdc6d6e79ebc84a0b3f9517e58b577687031da14a775ae797	bay-a	nurse-a	2026-12-03 09:41:10.330613+00	2	ivig_ws_test
3	1	2	7da4f8798a0f4aa3bff25a3f5a99a976:2	1796290870.2934902	{"action":"increase","at_min":30,"grade":"none","kind":"increase","rate_ml_h":84.0,"reason":"Step 2: increase to 84 mL/h (2.00 mg/kg/min) if tolerated","rule":"protocol label","rung":1,"who":"nurse"}	bb83031358c95dabdc6d6e79ebc84a0b3f9517e58b577687031da14a775ae797	dd189d328603b91133a8ac58f191f50921520f57d18dab52a3102afe9f719d32	bay-a	nurse-a	2026-12-03 09:41:10.330613+00	2	ivig_ws_test
4	1	3	7da4f8798a0f4aa3bff25a3f5a99a976:3	1796290870.2949226	{"at_min":40,"kind":"stop","reason":"rigors","who":"nurse"}	dd189d328603b91133a8ac58f191f50921520f57d18dab52a3102afe9f719d32	4782fb84caca219223e6838caf799ce3af0895b5f316dd79df0f493b1d4974d6	bay-a	nurse-a	2026-12-03 09:41:10.330613+00	2	ivig_ws_test
5	2	0	226f47b276c2426e87715b0c3fc3796a:0	1796290870.297038	{"at_min":0.0,"kind":"planned","library":{"hash":"sha256:5c8eb1b86adf6ac25673942da5f3d653d4dd7cb4b37255edc4c1d2da99cce962","version":1},"plan":{"concentration_mg_per_ml":100.0,"delivered_at_start_ml":0.0,"dose":{"dose_g":70.0,"prescribed_g":70.0,"rounded":"","vials":[[30.0,2],[10.0,1]],"vials_total_g":70.0,"volume_ml":700.0},"dosing":{"bmi":null,"ideal_kg":null,"kg":70,"method":"actual","reason":"actual body weight"},"limits":[{"as_written":"12 mg/kg/min","cap_ml_h":504.0,"first_step_only":false,"hard":true,"name":"label-max","overridden":null,"source":"label: octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used; pfizerpro.com/product/octagam-10/itp/dosing-administration (L)"},{"as_written":"1 mg/kg/min","cap_ml_h":42.0,"first_step_only":true,"hard":true,"name":"label-initial","overridden":null,"source":"the label's initial rate, a hard limit of the first step (octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used)"}],"notes":["Ladder provenance: the schedule as the manufacturer's HCP pages (octagamusa.com, pfizerpro.com) state it (graded L); the full US prescribing information was not retrieved."],"product_name":"Octagam 10%","protocol_id":"label","protocol_kind":"label","protocol_name":"Octagam 10% label (ITP)","rate_weight_kg":70,"replanned_at_min":null,"request":{"age_years":null,"at_risk":false,"at_risk_cap_mg_kg_min":null,"closing_clock":"18:00","dose_g_per_kg":1.0,"dosing_weight":"actual","first_infusion":false,"height_cm":null,"indication":"itp","max_hours":null,"max_ml_h":null,"overrides":[],"product":"octagam-10","product_switch":false,"protocol":null,"pump_resolution_ml_h":0.1,"round_dose":"none","sex":null,"start_clock":null,"tolerated_max_mg_kg_min":null,"weeks_since_last":null,"weight_kg":70},"rungs":[{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":1.0,"rate_ml_h":42.0,"target_mg_kg_min":1.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":2.0,"rate_ml_h":84.0,"target_mg_kg_min":2.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":4.0,"rate_ml_h":168.0,"target_mg_kg_min":4.0},{"limited_by":null,"minutes":30.0,"rate_mg_kg_min":8.0,"rate_ml_h":336.0,"target_mg_kg_min":8.0},{"limited_by":null,"minutes":null,"rate_mg_kg_min":12.0,"rate_ml_h":504.0,"target_mg_kg_min":12.0}],"sources":["octagamusa.com/octagam10/usage/ (L): 1 -> 2 -> 4 -> 8 mg/kg/min every 30 min, up to 12; at risk <= 3.3 mg/kg/min (0.03 mL/kg/min): the lower, 0.03 mL/kg/min, is used","pfizerpro.com/product/octagam-10/itp/dosing-administration (L)"],"steps":[{"end_min":30.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":1.0,"rate_ml_h":42.0,"rung":0,"start_min":0.0,"volume_ml":21.0},{"end_min":60.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":2.0,"rate_ml_h":84.0,"rung":1,"start_min":30.0,"volume_ml":42.0},{"end_min":90.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":4.0,"rate_ml_h":168.0,"rung":2,"start_min":60.0,"volume_ml":84.0},{"end_min":120.0,"holds_to_end":false,"limited_by":null,"rate_mg_kg_min":8.0,"rate_ml_h":336.0,"rung":3,"start_min":90.0,"volume_ml":168.0},{"end_min":165.83333333333331,"holds_to_end":true,"limited_by":null,"rate_mg_kg_min":12.0,"rate_ml_h":504.0,"rung":4,"start_min":120.0,"volume_ml":385.0}],"table_column_kg":null},"policy":"tiered","training":false,"who":"system"}	4782fb84caca219223e6838caf799ce3af0895b5f316dd79df0f493b1d4974d6	4ef49540f18867cc696535e9b38ac3e0627e27ed1eb136e9564503a12b6e44ec	bay-a	nurse-a	2026-12-03 09:41:10.349644+00	2	ivig_ws_test
6	2	1	226f47b276c2426e87715b0c3fc3796a:1	1796290870.299294	{"at_min":0,"kind":"start","rate_ml_h":42.0,"rung":0,"who":"nurse"}	4ef49540f18867cc696535e9b38ac3e0627e27ed1eb136e9564503a12b6e44ec	95314d33222c8c0bf44560c654f293710938bdbaa22f1afdf796b8fc245ef35e	bay-a	nurse-a	2026-12-03 09:41:10.349644+00	2	ivig_ws_test
7	2	2	226f47b276c2426e87715b0c3fc3796a:2	1796290870.3019233	{"at_min":5,"kind":"note","text":"comfortable","who":"nurse"}	95314d33222c8c0bf44560c654f293710938bdbaa22f1afdf796b8fc245ef35e	bc52045a8c67795fe7be6250868c1117469a58b571c764ab4141749b36639bce	bay-a	nurse-a	2026-12-03 09:41:10.349644+00	2	ivig_ws_test
\.


--
-- Data for Name: leases; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.leases (session_id, workstation, nurse, expires, since, installation, login, epoch, renewed) FROM stdin;
1	bay-a	\N	2026-12-03 08:41:10.375161+00	2026-12-03 09:41:10.330613+00	fd483ef1c2ad46ebac1454cd670b1577	ivig_ws_test	1	2026-12-03 09:41:10.330613+00
2	bay-a	\N	2026-12-03 08:41:10.375161+00	2026-12-03 09:41:10.349644+00	fd483ef1c2ad46ebac1454cd670b1577	ivig_ws_test	1	2026-12-03 09:41:10.354115+00
\.


--
-- Data for Name: schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.schema_version (version) FROM stdin;
2
\.


--
-- Data for Name: sessions; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.sessions (id, uid, chair, patient_id, training, wall_start, speed, product, workstation, nurse, created) FROM stdin;
1	7da4f8798a0f4aa3bff25a3f5a99a976	Bay A/1	P1	f	1700000000	1	octagam-10	bay-a	nurse-a	2026-12-03 09:41:10.330613+00
2	226f47b276c2426e87715b0c3fc3796a	Bay A/2	P2	f	1700000060	1	octagam-10	bay-a	nurse-a	2026-12-03 09:41:10.349644+00
\.


--
-- Data for Name: stations; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.stations (installation, label, login, instance, pid, seen) FROM stdin;
fd483ef1c2ad46ebac1454cd670b1577	bay-a	ivig_ws_test	c18ac4ffc7634252b19e4571bbc37802	22227	2026-12-03 09:41:10.354115+00
\.


--
-- Name: events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.events_id_seq', 7, true);


--
-- Name: sessions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sessions_id_seq', 2, true);


--
-- Name: chain_head chain_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chain_head
    ADD CONSTRAINT chain_head_pkey PRIMARY KEY (one);


--
-- Name: chairs chairs_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chairs
    ADD CONSTRAINT chairs_pkey PRIMARY KEY (session_id);


--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);


--
-- Name: events events_session_id_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_session_id_seq_key UNIQUE (session_id, seq);


--
-- Name: events events_uid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_uid_key UNIQUE (uid);


--
-- Name: leases leases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.leases
    ADD CONSTRAINT leases_pkey PRIMARY KEY (session_id);


--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);


--
-- Name: sessions sessions_uid_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_uid_key UNIQUE (uid);


--
-- Name: stations stations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.stations
    ADD CONSTRAINT stations_pkey PRIMARY KEY (installation);


--
-- Name: chairs_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX chairs_status ON public.chairs USING btree (status);


--
-- Name: sessions_patient; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX sessions_patient ON public.sessions USING btree (patient_id, training);


--
-- Name: events events_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_append_only BEFORE DELETE OR UPDATE ON public.events FOR EACH ROW EXECUTE FUNCTION public.ivig_append_only();


--
-- Name: events events_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON public.events FOR EACH STATEMENT EXECUTE FUNCTION public.ivig_append_only();


--
-- Name: sessions sessions_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER sessions_append_only BEFORE DELETE OR UPDATE ON public.sessions FOR EACH ROW EXECUTE FUNCTION public.ivig_append_only();


--
-- Name: sessions sessions_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER sessions_no_truncate BEFORE TRUNCATE ON public.sessions FOR EACH STATEMENT EXECUTE FUNCTION public.ivig_append_only();


--
-- Name: chairs chairs_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.chairs
    ADD CONSTRAINT chairs_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id);


--
-- Name: events events_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id);


--
-- Name: leases leases_session_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.leases
    ADD CONSTRAINT leases_session_id_fkey FOREIGN KEY (session_id) REFERENCES public.sessions(id);


--
-- PostgreSQL database dump complete
--

\unrestrict UeqeqIdxwXa05FkcerI56VgrglpL4FwewjEpArZ35wLkEdcajeIMNKMHaGz9unw

