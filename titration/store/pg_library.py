"""The drug library on the unit server: versions published, approved and activated, append-only.

- `library_versions`: one row per version: its number, the canonical content hash (the app's, over
  the parsed files: worked out by the publisher and again by every workstation that loads it), the
  files themselves as text, their digest (worked out here, so a file damaged on the way is refused),
  the effective date, the changelog line, the author named with --as and the login that published.
- `library_approvals`: a pharmacist's and a nurse's approval of a version, each with the name given
  and the login that ran it. The author may not approve; one person may not approve twice.
- `library_activations`: each activation (the newest is the active version), with its login.

UPDATE, DELETE and TRUNCATE on the three tables are refused by a trigger, for every role, the owner
too. The functions are the only way in: they are owned by the owner role and run as it (SECURITY
DEFINER); only `ivig_library` (a NOLOGIN role the unit gives its pharmacists' and charge nurses'
logins) may call them. Workstations read the tables (to load the active version) and nothing else.
Names given with --as are attribution, not authentication: the database login is recorded beside
each one. A NOTIFY on `ivig_library` tells the workstations.
"""
from __future__ import annotations

from .pg_common import append_only

CHANNEL = "ivig_library"
LIBRARY_ROLE = "ivig_library"
TABLES = ("library_versions", "library_approvals", "library_activations")
SEQUENCES = ("library_approvals_id_seq", "library_activations_id_seq")
FILE_NAME = r"^((products|symptoms|news2|library)\.toml|(protocols|policies)/[A-Za-z0-9][A-Za-z0-9._-]*\.toml)$"

# SQLSTATEs (class IV, as the journal's)
PUBLISH = "IVL01"  # a version number or content already on the server, damaged files, a bad name
APPROVE = "IVL02"  # the author approving, one person twice, a role already approved
ACTIVATE = "IVL03"  # not approved by a pharmacist and a nurse
NO_VERSION = "IVL04"  # no such version

M3 = r"""
CREATE TABLE library_versions(
    version integer PRIMARY KEY CHECK (version >= 1), content_hash text NOT NULL UNIQUE,
    files jsonb NOT NULL, files_digest text NOT NULL, effective date NOT NULL, changelog text NOT NULL,
    author text NOT NULL, author_login text NOT NULL, published timestamptz NOT NULL DEFAULT now());
CREATE TABLE library_approvals(
    id bigserial PRIMARY KEY, version integer NOT NULL REFERENCES library_versions(version),
    name text NOT NULL, role text NOT NULL CHECK (role IN ('pharmacist', 'nurse')), login text NOT NULL,
    approved timestamptz NOT NULL DEFAULT now(), UNIQUE (version, role));
CREATE TABLE library_activations(
    id bigserial PRIMARY KEY, version integer NOT NULL REFERENCES library_versions(version),
    login text NOT NULL, activated timestamptz NOT NULL DEFAULT now());
""" + append_only(*TABLES) + """REVOKE ALL ON library_versions, library_approvals, library_activations FROM PUBLIC;
"""

_DEFINER = "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp"

FUNCTIONS: list[tuple[str, str]] = [
    ("ivig_person(text)", r"""
CREATE OR REPLACE FUNCTION ivig_person(p_name text) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT lower(regexp_replace(btrim(coalesce(p_name, '')), '\s+', ' ', 'g'))
$$"""),
    ("ivig_files_digest(jsonb)", r"""
CREATE OR REPLACE FUNCTION ivig_files_digest(p_files jsonb) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT 'sha256:' || encode(sha256(convert_to(coalesce(string_agg(length(key) || ':' || key || length(value)
        || ':' || value, '' ORDER BY convert_to(key, 'UTF8')), ''), 'UTF8')), 'hex')
    FROM jsonb_each_text(p_files)
$$"""),
    ("ivig_library_publish(integer, text, date, text, jsonb, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_library_publish(p_version integer, p_hash text, p_effective date, p_changelog text,
    p_files jsonb, p_digest text, p_author text)
RETURNS TABLE(version integer, created boolean) {_DEFINER} AS $$
DECLARE v library_versions; bad text;
BEGIN
    PERFORM ivig_name('the author''s name', p_author);
    PERFORM ivig_name('the changelog', p_changelog);
    IF ivig_person(p_author) = '' THEN
        RAISE EXCEPTION 'the author''s name is empty: give it with --as' USING ERRCODE = '{PUBLISH}';
    END IF;
    IF p_hash !~ '^sha256:[0-9a-f]{{64}}$' THEN
        RAISE EXCEPTION 'the content hash % is not a sha256: hash', p_hash USING ERRCODE = '{PUBLISH}';
    END IF;
    IF jsonb_typeof(p_files) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'the library''s files are missing' USING ERRCODE = '{PUBLISH}';
    END IF;
    SELECT key INTO bad FROM jsonb_each(p_files) WHERE key !~ '{FILE_NAME}' OR jsonb_typeof(value) <> 'string' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the file name % is not a file of a drug library', bad USING ERRCODE = '{PUBLISH}';
    END IF;
    IF NOT (p_files ?& ARRAY['products.toml', 'symptoms.toml', 'news2.toml', 'library.toml']) THEN
        RAISE EXCEPTION 'the library is incomplete: products.toml, symptoms.toml, news2.toml and library.toml are '
            'all needed' USING ERRCODE = '{PUBLISH}';
    END IF;
    IF ivig_files_digest(p_files) IS DISTINCT FROM p_digest THEN
        RAISE EXCEPTION 'the library''s files arrived damaged (their digest differs): not published'
            USING ERRCODE = '{PUBLISH}';
    END IF;
    PERFORM pg_advisory_xact_lock(4954);  -- one publication at a time: version numbers only go up
    SELECT * INTO v FROM library_versions x WHERE x.version = p_version;
    IF FOUND THEN
        IF v.content_hash = p_hash THEN
            RETURN QUERY SELECT v.version, false;
            RETURN;
        END IF;
        RAISE EXCEPTION 'version % is already on the unit server with other content (%): give this library a new '
            'version number', p_version, v.content_hash USING ERRCODE = '{PUBLISH}';
    END IF;
    SELECT * INTO v FROM library_versions x WHERE x.content_hash = p_hash;
    IF FOUND THEN
        RAISE EXCEPTION 'this content is already version % on the unit server', v.version USING ERRCODE = '{PUBLISH}';
    END IF;
    IF p_version <= (SELECT coalesce(max(x.version), 0) FROM library_versions x) THEN
        RAISE EXCEPTION 'version % is not above the newest on the unit server (version %): version numbers only '
            'go up', p_version, (SELECT max(x.version) FROM library_versions x) USING ERRCODE = '{PUBLISH}';
    END IF;
    INSERT INTO library_versions(version, content_hash, files, files_digest, effective, changelog, author,
                                 author_login)
        VALUES (p_version, p_hash, p_files, p_digest, p_effective, p_changelog, btrim(p_author), session_user);
    PERFORM pg_notify('{CHANNEL}', 'published:' || p_version);
    RETURN QUERY SELECT p_version, true;
END $$"""),
    ("ivig_library_approve(integer, text, text)", rf"""
CREATE OR REPLACE FUNCTION ivig_library_approve(p_version integer, p_name text, p_role text)
RETURNS TABLE(version integer, role text, name text) {_DEFINER} AS $$
DECLARE v library_versions; a library_approvals;
BEGIN
    PERFORM ivig_name('the approver''s name', p_name);
    IF ivig_person(p_name) = '' THEN
        RAISE EXCEPTION 'the approver''s name is empty: give it with --as' USING ERRCODE = '{APPROVE}';
    END IF;
    IF p_role NOT IN ('pharmacist', 'nurse') THEN
        RAISE EXCEPTION 'the role % is not pharmacist or nurse', p_role USING ERRCODE = '{APPROVE}';
    END IF;
    SELECT * INTO v FROM library_versions x WHERE x.version = p_version FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no library version % on the unit server', p_version USING ERRCODE = '{NO_VERSION}';
    END IF;
    IF ivig_person(p_name) = ivig_person(v.author) THEN
        RAISE EXCEPTION '% published version %: the author cannot approve their own version', v.author, p_version
            USING ERRCODE = '{APPROVE}';
    END IF;
    PERFORM pg_advisory_xact_lock(4955, p_version);
    SELECT * INTO a FROM library_approvals x WHERE x.version = p_version AND x.role = p_role;
    IF FOUND THEN
        RAISE EXCEPTION 'version % is already approved by a % (%)', p_version, p_role, a.name
            USING ERRCODE = '{APPROVE}';
    END IF;
    SELECT * INTO a FROM library_approvals x WHERE x.version = p_version AND ivig_person(x.name) = ivig_person(p_name);
    IF FOUND THEN
        RAISE EXCEPTION '% already approved version % as %: a second approval needs another person', a.name,
            p_version, a.role USING ERRCODE = '{APPROVE}';
    END IF;
    INSERT INTO library_approvals(version, name, role, login) VALUES (p_version, btrim(p_name), p_role, session_user);
    PERFORM pg_notify('{CHANNEL}', 'approved:' || p_version);
    RETURN QUERY SELECT p_version, p_role, btrim(p_name);
END $$"""),
    ("ivig_library_activate(integer)", rf"""
CREATE OR REPLACE FUNCTION ivig_library_activate(p_version integer)
RETURNS TABLE(version integer, previous integer, changed boolean) {_DEFINER} AS $$
DECLARE v library_versions; was integer; n integer;
BEGIN
    SELECT * INTO v FROM library_versions x WHERE x.version = p_version;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'there is no library version % on the unit server', p_version USING ERRCODE = '{NO_VERSION}';
    END IF;
    PERFORM pg_advisory_xact_lock(4956);
    SELECT count(DISTINCT x.role) INTO n FROM library_approvals x
        WHERE x.version = p_version AND ivig_person(x.name) <> ivig_person(v.author);
    IF n < 2 OR (SELECT count(DISTINCT ivig_person(x.name)) FROM library_approvals x WHERE x.version = p_version) < 2
            THEN
        RAISE EXCEPTION 'version % is not approved by a pharmacist and a nurse (two people, neither its author): '
            'not activated', p_version USING ERRCODE = '{ACTIVATE}';
    END IF;
    SELECT x.version INTO was FROM library_activations x ORDER BY x.id DESC LIMIT 1;
    IF was IS NOT DISTINCT FROM p_version THEN
        RETURN QUERY SELECT p_version, was, false;
        RETURN;
    END IF;
    INSERT INTO library_activations(version, login) VALUES (p_version, session_user);
    PERFORM pg_notify('{CHANNEL}', 'active:' || p_version);
    RETURN QUERY SELECT p_version, was, true;
END $$"""),
]

CALLABLE = ("ivig_library_publish", "ivig_library_approve", "ivig_library_activate")


def privileges(owner: str, workstation: str) -> str:
    """The library's tables and functions to the owner; reading to the workstations and the library
    role; the three functions to the library role only."""
    out = [f"ALTER TABLE {t} OWNER TO {owner};" for t in TABLES]
    out += [f"ALTER SEQUENCE {s} OWNER TO {owner};" for s in SEQUENCES]
    out += [f"ALTER FUNCTION {sig} OWNER TO {owner};" for sig, _ in FUNCTIONS]
    out += [f"REVOKE ALL ON {', '.join(TABLES)} FROM PUBLIC, {workstation}, {LIBRARY_ROLE};",
            f"GRANT USAGE ON SCHEMA public TO {LIBRARY_ROLE};",
            f"GRANT SELECT ON {', '.join(TABLES)} TO {workstation}, {LIBRARY_ROLE};",
            f"GRANT SELECT ON schema_version TO {LIBRARY_ROLE};"]
    for sig, _ in FUNCTIONS:
        out.append(f"REVOKE ALL ON FUNCTION {sig} FROM PUBLIC;")
        if sig.split("(")[0] in CALLABLE:
            out.append(f"GRANT EXECUTE ON FUNCTION {sig} TO {LIBRARY_ROLE};")
    return "\n".join(out)
