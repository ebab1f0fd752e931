"""A password in a connection string is refused, and never shown back, however it is spelt: a
percent-encoded ':' in a URL's user part (libpq decodes it, then shows the user back in its errors),
a user keyword holding one, a port that is not a number (user:password with its '@' left out)."""
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from titration.store.base import PASSWORD_REFUSED, connection_problem

SECRET = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N")), min_size=4, max_size=12)
COLON = st.sampled_from([":", "%3A", "%3a", quote(":", safe="")])


@given(SECRET, COLON, st.sampled_from(["postgresql", "postgres", "POSTGRESQL"]))
def test_a_password_in_a_urls_user_part_however_encoded_is_refused_unshown(pw, colon, scheme):
    url = f"{scheme}://ws_a{colon}{pw}@127.0.0.1:57101/ivig"
    why = connection_problem(url)
    assert why == PASSWORD_REFUSED and pw not in why


@given(SECRET, COLON, st.booleans())
def test_a_user_keyword_holding_a_colon_is_refused_unshown(pw, colon, as_url):
    text = f"postgresql://h/ivig?user=ws_a{colon}{pw}" if as_url else f"host=h dbname=ivig user='ws_a:{pw}'"
    why = connection_problem(text)
    assert why == PASSWORD_REFUSED and pw not in why


@given(SECRET)
def test_a_port_that_is_not_a_number_is_refused_unshown(pw):
    for text in (f"postgresql://ws_a:{pw}%40db.unit/ivig", f"postgresql://db.unit/ivig?port={pw}x",
                 f"host=db.unit port={pw}x dbname=ivig"):
        why = connection_problem(text)
        assert why and pw not in why, text


def test_ordinary_strings_pass():
    for text in ("postgresql://ws_a@127.0.0.1:57101/ivig", "postgresql://ws_a@[::1]:5432/ivig",
                 "postgresql://u@h1:5432,h2:5433/ivig", "postgresql:///ivig?host=/tmp/sock&port=5432",
                 "postgresql://%2Ftmp%2Fsock/ivig", "host=/tmp/sock port=5432 dbname=ivig user=ws_a"):
        assert connection_problem(text) == "", text
