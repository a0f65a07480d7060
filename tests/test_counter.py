"""The download counter: COUNTER R5.1 replays with an injected clock, robots, privacy, threads, stats."""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from outillerie.counter.rules import Robots, load_robots, visitor_id
from outillerie.counter.stats import PEOPLE_NOTE, StatRow, read_stats, stats_as_dict
from outillerie.counter.database import Target, open_counter
from outillerie.counter.store import Counter
from outillerie.errors import CounterError

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
EDGE = CHROME + " Edg/120.0.2210.91"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.6099.28 Safari/537.36"
)
IP = "198.51.100.23"


class Clock:
    """A settable UTC clock: tests replay hours and days in milliseconds."""

    def __init__(self, when: str = "2024-03-05T10:01:00") -> None:
        self.now = utc(when)

    def __call__(self) -> datetime:
        return self.now

    def at(self, when: str) -> None:
        self.now = utc(when)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def utc(when: str) -> datetime:
    return datetime.fromisoformat(when).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def robots() -> Robots:
    return load_robots()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    """The counter's store: the same counting tests run on an SQLite file and on a real PostgreSQL database."""
    return tmp_path / "compteur.sqlite3" if request.param == "sqlite" else request.getfixturevalue("pg_url")


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Path:
    return tmp_path / "compteur.sqlite3"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def counter(db: Target, clock: Clock, robots: Robots):
    store = open_counter(db, clock=clock, robots=robots)
    yield store
    store.close()


@pytest.fixture
def sqlite_counter(sqlite_db: Path, clock: Clock, robots: Robots):
    with Counter(sqlite_db, clock=clock, robots=robots) as counter:
        yield counter


def get(counter: Counter, slug: str = "atelier-mails", **request) -> bool:
    """A browser's plain GET answered 200, unless the test says otherwise."""
    values = {"method": "GET", "status": 200, "client": IP, "user_agent": FIREFOX, **request}
    return counter.record(slug, **values)


def totals(db: Path) -> tuple[int, int]:
    report = read_stats(db, by="resource")
    return report.downloads, report.unique_downloads


# --- COUNTER audit replays ----------------------------------------------------------------


def test_audit_double_clicks_give_45_total_and_30_unique(counter: Counter, clock: Clock, db: Path) -> None:
    # COUNTER's double-click audit, replayed by one visitor within one clock hour:
    # - 15 sheets are each "double-clicked": two requests 10 s apart. The second falls within
    #   30 s of the first, so each pair is 1 total and 1 unique: 15 / 15.
    # - 15 other sheets are each requested as two single requests 40 s apart: each request
    #   stands alone (>= 30 s after the previous one), so each pair is 2 total but still
    #   1 unique (same visitor, sheet and hour): 30 / 15.
    # Together: 15 + 30 = 45 total downloads, 15 + 15 = 30 unique downloads.
    clock.at("2024-03-05T10:00:00")
    counted = []
    for n in range(15):
        counted.append(get(counter, f"double-{n}"))
        clock.advance(10)
        counted.append(get(counter, f"double-{n}"))
        clock.advance(1)
    for n in range(15):
        counted.append(get(counter, f"single-{n}"))
        clock.advance(40)
        counted.append(get(counter, f"single-{n}"))
        clock.advance(1)
    assert clock.now < utc("2024-03-05T11:00:00")
    assert counted.count(True) == 45
    assert totals(db) == (45, 30)


def test_audit_100_requests_over_50_sheets_give_100_total_and_50_unique(
    counter: Counter, clock: Clock, db: Path
) -> None:
    # One visitor requests 50 sheets, then the same 50 sheets again a minute later (>= 30 s,
    # same hour): every request counts, each sheet is unique once.
    clock.at("2024-03-05T14:00:00")
    for _ in range(2):
        for n in range(50):
            assert get(counter, f"fiche-{n}")
            clock.advance(1)
        clock.advance(10)
    assert totals(db) == (100, 50)
    assert read_stats(db).rows[0] == StatRow("fiche-0", "2024-03", 2, 1)


# --- double clicks, hours and days ----------------------------------------------------------


@pytest.mark.parametrize(
    "gap, expected",
    [(29, 1), (29.999, 1), (30, 2), (30.001, 2), (31, 2)],
)
def test_double_click_boundary_is_30_seconds_excluded(
    counter: Counter, clock: Clock, db: Path, gap: float, expected: int
) -> None:
    # Decision: < 30 s after the previous request is a double click; at 30.0 s it counts again.
    get(counter)
    clock.advance(gap)
    get(counter)
    assert totals(db) == (expected, 1)


@pytest.mark.parametrize(
    "times, expected",
    [
        (["10:01:00", "10:01:29", "10:01:55"], 1),  # each within 30 s of the previous: one click
        (["10:01:00", "10:01:35"], 2),
        (["10:01:00", "10:01:20", "10:01:40", "10:02:00", "10:02:30"], 2),  # slides, then breaks
    ],
)
def test_double_click_window_slides_from_the_previous_request(
    counter: Counter, clock: Clock, db: Path, times: list[str], expected: int
) -> None:
    for time in times:
        clock.at(f"2024-03-05T{time}")
        get(counter)
    assert totals(db) == (expected, 1)


def test_double_click_is_per_visitor_and_per_sheet(counter: Counter, db: Path) -> None:
    assert get(counter, "a")
    assert get(counter, "b")
    assert get(counter, "a", client="198.51.100.24")
    assert get(counter, "a", user_agent=CHROME)
    assert not get(counter, "a")
    assert totals(db) == (4, 4)


def test_requests_that_cannot_count_do_not_extend_the_window(counter: Counter, clock: Clock, db: Path) -> None:
    get(counter)
    clock.advance(25)
    get(counter, method="HEAD")
    get(counter, status=206, range_start=4096)
    clock.advance(15)  # 40 s after the last GET that could count
    assert get(counter)
    assert totals(db) == (2, 1)


def test_a_new_clock_hour_counts_a_unique_download_again(counter: Counter, clock: Clock, db: Path) -> None:
    clock.at("2024-03-05T10:05:00")
    get(counter)
    clock.at("2024-03-05T10:59:00")
    get(counter)
    clock.at("2024-03-05T11:00:10")  # 70 s later, but a new hour
    get(counter)
    assert totals(db) == (3, 2)


def test_a_double_click_across_the_hour_counts_once_in_the_first_hour(
    counter: Counter, clock: Clock, db: Path
) -> None:
    clock.at("2024-03-05T10:59:50")
    assert get(counter)
    clock.at("2024-03-05T11:00:10")
    assert not get(counter)
    assert totals(db) == (1, 1)


def test_a_new_utc_day_brings_a_new_salt_and_forgets_visitors(
    sqlite_counter: Counter, clock: Clock, sqlite_db: Path
) -> None:
    clock.at("2024-03-05T23:59:50")
    assert get(sqlite_counter)
    first = sqlite_counter._day  # private on purpose: the salt is never exposed
    clock.at("2024-03-06T00:00:05")  # 15 s later: a double click on the same day, not across days
    assert get(sqlite_counter)
    second = sqlite_counter._day
    assert second is not first and second.day == date(2024, 3, 6)
    assert second.salt != first.salt
    assert visitor_id(first.salt, IP, FIREFOX) != visitor_id(second.salt, IP, FIREFOX)
    assert len(second.last_request) == len(second.hours) == len(second.visitors) == 1
    assert [(row.period, row.downloads, row.unique_downloads) for row in read_stats(sqlite_db, by="day").rows] == [
        ("2024-03-05", 1, 1),
        ("2024-03-06", 1, 1),
    ]


def test_each_counter_draws_its_own_salt(tmp_path: Path, robots: Robots) -> None:
    salts = []
    for name in ("a.sqlite3", "b.sqlite3"):
        with Counter(tmp_path / name, clock=Clock(), robots=robots) as counter:
            get(counter)
            salts.append(counter._day.salt)
    assert salts[0] != salts[1] and all(len(salt) == 32 for salt in salts)


def test_a_naive_clock_is_refused(db: Path, robots: Robots) -> None:
    with open_counter(db, clock=lambda: datetime(2024, 3, 5, 10), robots=robots) as counter:
        with pytest.raises(ValueError, match="aware"):
            get(counter)


def test_a_clock_in_another_time_zone_is_read_in_utc(db: Path, robots: Robots) -> None:
    paris = timezone(timedelta(hours=1))
    with open_counter(db, clock=lambda: datetime(2024, 3, 6, 0, 30, tzinfo=paris), robots=robots) as counter:
        get(counter)
    assert read_stats(db, by="day").rows[0].period == "2024-03-05"


# --- what counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, status, range_start, counted",
    [
        ("GET", 200, None, True),
        ("GET", 304, None, True),
        ("GET", 206, 0, True),
        ("GET", 206, 1, False),
        ("GET", 206, 524288, False),
        ("GET", 206, None, False),
        ("HEAD", 200, None, False),
        ("POST", 200, None, False),
        ("get", 200, None, False),
        ("GET", 404, None, False),
        ("GET", 416, None, False),
        ("GET", 500, None, False),
        ("GET", 503, None, False),
    ],
)
def test_only_get_200_304_or_206_from_byte_0_counts(
    counter: Counter, db: Path, method: str, status: int, range_start: int | None, counted: bool
) -> None:
    assert get(counter, method=method, status=status, range_start=range_start) is counted
    assert totals(db) == ((1, 1) if counted else (0, 0))


@pytest.mark.parametrize("dnt, gpc", [(True, False), (False, True), (True, True)])
def test_do_not_track_and_global_privacy_control_are_not_recorded(
    counter: Counter, db: Path, dnt: bool, gpc: bool
) -> None:
    assert not get(counter, dnt=dnt, gpc=gpc)
    assert totals(db) == (0, 0)
    assert read_stats(db).sum_daily_visitors == 0


@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "x",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "GOOGLEBOT",
        "googleBot/2.1",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "python-requests/2.31.0",
        "Python-Requests/2.31.0",
        "curl/8.5.0",
        "CURL/7.88.1",
        "Wget/1.21.4",
        HEADLESS,
        "Mozilla/5.0 (compatible; YandexSpider/3.0)",
        "Mozilla",
        "axios/1.6.2",
    ],
)
def test_robots_never_count(counter: Counter, robots: Robots, db: Path, user_agent: str) -> None:
    assert robots.is_robot(user_agent)
    assert not get(counter, user_agent=user_agent)
    assert totals(db) == (0, 0)


@pytest.mark.parametrize("user_agent", [FIREFOX, CHROME, SAFARI_IPHONE, EDGE])
def test_browsers_are_not_robots(robots: Robots, user_agent: str) -> None:
    assert not robots.is_robot(user_agent)


def test_robots_answer_like_re_search_of_each_pattern(robots: Robots) -> None:
    # The fast path (words with `in`, anchored patterns with `match`) must agree with the
    # plain rule: re.search of any pattern, ignoring case.
    samples = [FIREFOX, CHROME, SAFARI_IPHONE, EDGE, HEADLESS, "Mozilla/5.0", "Java/1.8.0_292"]
    for pattern in robots.patterns:
        plain = re.sub(r"\\(.)", r"\1", pattern.strip("^$"))
        samples += [plain, plain.upper(), plain.swapcase(), f"Mozilla/5.0 ({plain})", f"{FIREFOX} {plain}"]
    compiled = [re.compile(pattern, re.IGNORECASE) for pattern in robots.patterns]
    for sample in samples:
        expected = any(regex.search(sample) for regex in compiled)
        assert robots.is_robot(sample) is expected, sample


def test_the_shipped_robot_list_is_complete(robots: Robots) -> None:
    assert len(robots.patterns) == 327
    assert {"bot", "spider", "crawl", "^.?$"} <= set(robots.patterns)


@pytest.mark.parametrize(
    "content, problem",
    [
        ("[{\"pattern\": \"bot\"", "liste des robots invalide"),
        ("[{\"pattern\": \"(bot\"}]", "liste des robots invalide"),
        ("[{\"name\": \"bot\"}]", "liste des robots invalide"),
        ("[]", "liste des robots invalide"),
    ],
)
def test_a_broken_robot_list_is_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "robots.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CounterError) as error:
        load_robots(path)
    assert str(error.value).startswith(f"{path} : {problem}")
    assert "Pour corriger" in str(error.value)


def test_a_missing_robot_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CounterError, match="liste des robots illisible"):
        load_robots(tmp_path / "absent.json")


# --- the visitor ------------------------------------------------------------------------


def test_visitor_is_a_short_hmac_of_address_and_user_agent() -> None:
    salt = bytes(32)
    visitor = visitor_id(salt, IP, FIREFOX)
    assert re.fullmatch(r"[0-9a-f]{32}", visitor)
    assert visitor != visitor_id(salt, "198.51.100.24", FIREFOX)
    assert visitor != visitor_id(salt, IP, CHROME)
    assert visitor != visitor_id(bytes([1]) * 32, IP, FIREFOX)
    assert visitor == visitor_id(salt, "::ffff:198.51.100.23", FIREFOX)


@pytest.mark.parametrize(
    "other, same",
    [
        ("2001:db8:85a3:1234:ffff:ffff:ffff:1", True),  # same /64: another device of the home
        ("2001:DB8:85A3:1234::", True),
        ("2001:db8:85a3:1234::1%eth0", True),
        ("2001:db8:85a3:1235::1", False),  # next /64
        ("2001:db8:85a3:1234", False),  # not an address: hashed as given
    ],
)
def test_ipv6_addresses_are_reduced_to_their_64_prefix(other: str, same: bool) -> None:
    salt = bytes(32)
    first = visitor_id(salt, "2001:db8:85a3:1234:abcd:ef01:2345:6789", FIREFOX)
    assert (first == visitor_id(salt, other, FIREFOX)) is same


def test_two_devices_of_one_ipv6_network_are_one_visitor(counter: Counter, db: Path) -> None:
    assert get(counter, client="2001:db8:85a3:1234::10")
    assert not get(counter, client="2001:db8:85a3:1234::20")
    assert totals(db) == (1, 1)


# --- threads ------------------------------------------------------------------------------


def run_threads(count: int, work) -> list[BaseException]:
    """Start `count` threads together; return what they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def target(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def browser(n: int) -> tuple[str, str]:
    """A distinct browser visitor: its own address and Firefox version."""
    version = 100 + n
    return f"10.{n // 250}.{n % 250}.7", f"Mozilla/5.0 (X11; Linux x86_64; rv:{version}.0) Gecko/20100101 Firefox/{version}.0"


def test_fifty_threads_on_one_counter_count_exactly(db: Path, robots: Robots) -> None:
    # 50 visitors x 40 sheets, each sheet requested twice in a row (the second is a double
    # click): 4,000 requests, 2,000 downloads, 2,000 unique, 50 visitors.
    counted = [0] * 50
    with open_counter(db, clock=Clock(), robots=robots) as counter:

        def work(n: int) -> None:
            client, user_agent = browser(n)
            for sheet in range(40):
                for _ in range(2):
                    counted[n] += get(counter, f"fiche-{sheet}", client=client, user_agent=user_agent)

        assert run_threads(50, work) == []
    assert counted == [40] * 50
    report = read_stats(db, by="resource")
    assert (report.downloads, report.unique_downloads) == (2000, 2000)
    assert {row.downloads for row in report.rows} == {50}
    assert report.max_daily_visitors == report.sum_daily_visitors == 50


def test_two_counters_on_one_file_stay_exact(db: Path, robots: Robots) -> None:
    # Two counters (two connections) write the same rows from 20 threads: BEGIN IMMEDIATE and
    # busy_timeout make them wait for each other instead of failing with "database is locked".
    counters = [open_counter(db, clock=Clock(), robots=robots) for _ in range(2)]
    try:

        def work(n: int) -> None:
            client, user_agent = browser(n)
            for sheet in range(30):
                assert get(counters[n % 2], f"fiche-{sheet}", client=client, user_agent=user_agent)

        assert run_threads(20, work) == []
    finally:
        for counter in counters:
            counter.close()
    assert totals(db) == (600, 600)
    assert read_stats(db).sum_daily_visitors == 20


def test_stats_can_be_read_while_threads_count(db: Path, robots: Robots) -> None:
    with open_counter(db, clock=Clock(), robots=robots) as counter:

        def work(n: int) -> None:
            if n == 0:
                for _ in range(50):
                    assert read_stats(db).downloads <= 500
                return
            client, user_agent = browser(n)
            for sheet in range(50):
                get(counter, f"fiche-{sheet}", client=client, user_agent=user_agent)

        assert run_threads(11, work) == []
    assert totals(db) == (500, 500)


# --- privacy and storage ------------------------------------------------------------------


def stored_bytes(db: Path) -> bytes:
    return b"".join(path.read_bytes() for path in db.parent.glob(db.name + "*"))


def test_no_address_user_agent_or_visitor_hash_is_ever_stored(sqlite_db: Path, clock: Clock, robots: Robots) -> None:
    visitors = [
        ("203.0.113.77", FIREFOX),
        ("2001:db8:85a3:1234:abcd:ef01:2345:6789", CHROME),
        ("192.0.2.201", SAFARI_IPHONE + " Marqueur-Vie-Privee"),
    ]
    with Counter(sqlite_db, clock=clock, robots=robots) as counter:
        for client, user_agent in visitors:
            for sheet in ("atelier-mails", "france-connect"):
                assert get(counter, sheet, client=client, user_agent=user_agent)
            clock.advance(60)
        assert {path.name for path in sqlite_db.parent.iterdir()} >= {sqlite_db.name + "-wal", sqlite_db.name + "-shm"}
        hashes = [visitor_id(counter._day.salt, client, user_agent) for client, user_agent in visitors]
        snapshots = [stored_bytes(sqlite_db)]
    snapshots.append(stored_bytes(sqlite_db))  # after close: the WAL is checkpointed into the file
    forbidden = [hash.encode() for hash in hashes] + [bytes.fromhex(hash) for hash in hashes]
    for client, user_agent in visitors:
        address = ipaddress.ip_address(client)
        forbidden += [client.encode(), address.packed, str(address.exploded).encode()]
        forbidden += [user_agent.encode(), b"Mozilla", b"Gecko", b"Marqueur"]
    forbidden += [b"203.0.113", b"2001:db8", b"20010db8"]
    for snapshot in snapshots:
        assert b"atelier-mails" in snapshot  # the check can see what is stored
        for secret in forbidden:
            assert secret not in snapshot


def test_the_database_holds_only_daily_aggregates(sqlite_counter: Counter, sqlite_db: Path) -> None:
    get(sqlite_counter)
    with sqlite3.connect(sqlite_db) as conn:
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall()
        columns = [row[1:3] + row[5:6] for row in conn.execute("PRAGMA table_info(downloads)")]
        rows = conn.execute("SELECT * FROM downloads").fetchall()
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    assert tables == [("downloads",), ("use_publics",), ("uses",), ("visitors",)]
    assert columns == [
        ("day", "TEXT", 1),
        ("slug", "TEXT", 2),
        ("downloads", "INTEGER", 0),
        ("unique_downloads", "INTEGER", 0),
    ]
    assert rows == [("2024-03-05", "atelier-mails", 1, 1)]
    assert (journal, version) == ("wal", 2)


def test_a_count_that_cannot_be_written_raises_and_is_not_remembered(
    sqlite_counter: Counter, clock: Clock, sqlite_db: Path
) -> None:
    with sqlite3.connect(sqlite_db) as saboteur:
        saboteur.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON downloads BEGIN SELECT RAISE(ABORT, 'refus'); END"
        )
    with pytest.raises(CounterError) as error:
        get(sqlite_counter, client="203.0.113.77")
    message = str(error.value)
    assert message.startswith(f"{sqlite_db} : le téléchargement n'a pas pu être compté")
    assert "Pour corriger" in message
    assert "203.0.113.77" not in message and "Firefox" not in message
    saboteur.execute("DROP TRIGGER refuse")
    saboteur.close()
    clock.advance(1)  # within 30 s: still counted, since the failed request was never counted
    assert get(sqlite_counter, client="203.0.113.77")
    assert totals(sqlite_db) == (1, 1)


def test_an_existing_database_is_reopened_and_added_to(db: Target, clock: Clock, robots: Robots) -> None:
    for _ in range(2):
        with open_counter(db, clock=clock, robots=robots) as counter:
            get(counter)
        clock.advance(60)
    # SQLite: a restarted counter draws a new salt, so the same person is new again (2 unique);
    # PostgreSQL: the salt of the day is in the database, so a restart still knows them (1 unique).
    assert totals(db) == ((2, 2) if isinstance(db, Path) else (2, 1))


# --- databases that cannot be used ------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(sqlite_db: Path, robots: Robots) -> None:
    sqlite_db.write_text("Ceci est une liste de courses, pas une base.\n" * 50, encoding="utf-8")
    before = sqlite_db.read_bytes()
    with pytest.raises(CounterError) as error:
        Counter(sqlite_db, robots=robots)
    assert str(error.value).startswith(f"{sqlite_db} : ce fichier n'est pas une base SQLite. Pour corriger :")
    assert isinstance(error.value.__cause__, sqlite3.DatabaseError)
    assert sqlite_db.read_bytes() == before


def test_another_programs_database_is_refused_and_left_alone(sqlite_db: Path, robots: Robots) -> None:
    with sqlite3.connect(sqlite_db) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    with pytest.raises(CounterError, match="n'est pas celle du compteur d'outillerie"):
        Counter(sqlite_db, robots=robots)
    with pytest.raises(CounterError, match="n'est pas celle du compteur d'outillerie"):
        read_stats(sqlite_db)
    with sqlite3.connect(sqlite_db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


def test_a_database_from_a_newer_version_is_refused(sqlite_db: Path, robots: Robots) -> None:
    Counter(sqlite_db, robots=robots).close()
    with sqlite3.connect(sqlite_db) as conn:
        conn.execute("PRAGMA user_version = 3")
    conn.close()
    with pytest.raises(CounterError, match=r"version plus récente d'outillerie \(schéma 3"):
        Counter(sqlite_db, robots=robots)


@pytest.mark.parametrize("where", ["missing folder", "folder is a file", "path is a folder"])
def test_a_place_where_no_database_can_be_made_is_refused(tmp_path: Path, robots: Robots, where: str) -> None:
    if where == "missing folder":
        db = tmp_path / "absent" / "compteur.sqlite3"
    elif where == "folder is a file":
        (tmp_path / "fichier").write_text("x", encoding="utf-8")
        db = tmp_path / "fichier" / "compteur.sqlite3"
    else:
        db = tmp_path
    with pytest.raises(CounterError) as error:
        Counter(db, robots=robots)
    assert str(error.value).startswith(f"{db} : ")
    assert "Pour corriger" in str(error.value)


READ_ONLY_SCENARIO = """
import sys
from pathlib import Path
from outillerie.counter.database import Target, open_counter
from outillerie.counter.store import Counter
from outillerie.errors import CounterError
db, existing = Path(sys.argv[1]), sys.argv[2] == "1"
folder = db.parent
if existing:
    Counter(db).close()
    db.chmod(0o444)  # the file is read-only, its folder is not
else:
    folder.chmod(0o555)
try:
    Counter(db)
except CounterError as error:
    print(error)
finally:
    folder.chmod(0o755)
"""


@pytest.mark.parametrize("existing", [False, True])
def test_a_read_only_folder_or_file_is_refused(existing: bool) -> None:
    """Run as an ordinary user: root may write into read-only files, a volunteer's account may not."""
    folder = Path(tempfile.mkdtemp(prefix="outillerie-ro-")) / "lecture-seule"
    folder.mkdir()
    db = folder / "compteur.sqlite3"
    command = [sys.executable, "-c", READ_ONLY_SCENARIO, str(db), "1" if existing else "0"]
    if os.geteuid() == 0:  # CI runs as root: drop to nobody for this scenario
        os.chmod(folder.parent, 0o755)
        os.chown(folder, 65534, 65534)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", *command]
        probe = subprocess.run([*command[:5], sys.executable, "-c", "pass"], capture_output=True, timeout=60)
        if probe.returncode != 0:
            shutil.rmtree(folder.parent, ignore_errors=True)
            pytest.skip(f"this Python cannot run as an ordinary user here: {probe.stderr.decode()[:200]}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    shutil.rmtree(folder.parent, ignore_errors=True)
    assert result.stderr == ""
    assert result.stdout.startswith(f"{db} : impossible d'ouvrir la base du compteur en écriture")
    assert f"donnez le droit d'écriture sur ce fichier et sur le dossier {folder}" in result.stdout


def test_stats_of_a_missing_database_say_how_to_fix(sqlite_db: Path) -> None:
    with pytest.raises(CounterError) as error:
        read_stats(sqlite_db)
    assert str(error.value) == (
        f"{sqlite_db} : la base du compteur n'existe pas. Pour corriger : vérifiez le chemin ; "
        f"`outillerie serve` la crée à son démarrage."
    )
    assert not sqlite_db.exists()


# --- stats --------------------------------------------------------------------------------


@pytest.fixture
def history(db: Path, robots: Robots) -> Path:
    """Downloads over three months, each by a distinct visitor unless said otherwise."""
    clock = Clock()
    plan = [
        ("2024-01-15T09:00:00", "atelier-mails", "10.0.0.1"),
        ("2024-01-15T09:10:00", "atelier-mails", "10.0.0.1"),  # same visitor, same hour
        ("2024-01-15T09:20:00", "france-connect", "10.0.0.1"),
        ("2024-01-31T23:00:00", "france-connect", "10.0.0.2"),
        ("2024-02-01T08:00:00", "atelier-mails", "10.0.0.3"),
        ("2024-02-01T08:00:00", "atelier-mails", "10.0.0.4"),
        ("2024-02-01T08:00:00", "atelier-mails", "10.0.0.5"),
        ("2024-03-10T12:00:00", "smartphone", "10.0.0.6"),
    ]
    with open_counter(db, clock=clock, robots=robots) as counter:
        for when, slug, client in plan:
            clock.at(when)
            assert get(counter, slug, client=client)
    return db


def rows(report) -> list[tuple]:
    return [(row.slug, row.period, row.downloads, row.unique_downloads) for row in report.rows]


def test_stats_by_resource(history: Path) -> None:
    report = read_stats(history, by="resource")
    assert rows(report) == [
        ("atelier-mails", None, 5, 4),
        ("france-connect", None, 2, 2),
        ("smartphone", None, 1, 1),
    ]
    assert (report.downloads, report.unique_downloads) == (8, 7)
    assert (report.first_day, report.last_day) == (date(2024, 1, 15), date(2024, 3, 10))


def test_stats_by_month(history: Path) -> None:
    assert rows(read_stats(history, by="month")) == [
        (None, "2024-01", 4, 3),
        (None, "2024-02", 3, 3),
        (None, "2024-03", 1, 1),
    ]


def test_stats_by_day(history: Path) -> None:
    assert rows(read_stats(history, by="day")) == [
        (None, "2024-01-15", 3, 2),
        (None, "2024-01-31", 1, 1),
        (None, "2024-02-01", 3, 3),
        (None, "2024-03-10", 1, 1),
    ]


def test_stats_per_sheet_and_month_is_the_default(history: Path) -> None:
    report = read_stats(history)
    assert report.by == "resource-month"
    assert rows(report) == [
        ("atelier-mails", "2024-01", 2, 1),
        ("atelier-mails", "2024-02", 3, 3),
        ("france-connect", "2024-01", 2, 2),
        ("smartphone", "2024-03", 1, 1),
    ]
    # Distinct people are unknown; daily visitors bound them: 1, 1, 3 and 1 visitors a day.
    assert (report.max_daily_visitors, report.sum_daily_visitors) == (3, 6)


@pytest.mark.parametrize(
    "since, until, expected, period",
    [
        (date(2024, 1, 31), None, [(None, "2024-01", 1, 1), (None, "2024-02", 3, 3), (None, "2024-03", 1, 1)],
         (date(2024, 1, 31), date(2024, 3, 10))),
        (None, date(2024, 1, 31), [(None, "2024-01", 4, 3)], (date(2024, 1, 15), date(2024, 1, 31))),
        (date(2024, 2, 1), date(2024, 2, 1), [(None, "2024-02", 3, 3)], (date(2024, 2, 1), date(2024, 2, 1))),
        (date(2024, 4, 1), None, [], (date(2024, 4, 1), None)),
    ],
)
def test_stats_between_two_days_included(
    history: Path, since: date | None, until: date | None, expected: list[tuple], period: tuple
) -> None:
    report = read_stats(history, since=since, until=until, by="month")
    assert rows(report) == expected
    assert (report.first_day, report.last_day) == period
    assert report.downloads == sum(row[2] for row in expected)


def test_stats_refuse_a_period_that_ends_before_it_starts(history: Path) -> None:
    with pytest.raises(CounterError, match=r"le début \(2024-03-01\) est après la fin \(2024-02-01\)"):
        read_stats(history, since=date(2024, 3, 1), until=date(2024, 2, 1))


def test_stats_as_dict_is_json_with_totals_period_and_the_note(history: Path) -> None:
    data = json.loads(json.dumps(stats_as_dict(read_stats(history, since=date(2024, 2, 1), by="resource"))))
    assert data == {
        "period": {"first_day": "2024-02-01", "last_day": "2024-03-10"},
        "by": "resource",
        "rows": [
            {"slug": "atelier-mails", "downloads": 3, "unique_downloads": 3},
            {"slug": "smartphone", "downloads": 1, "unique_downloads": 1},
        ],
        "totals": {"downloads": 4, "unique_downloads": 4},
        "visitors": {"max_daily": 3, "sum_daily": 4, "note": PEOPLE_NOTE},
    }
    assert "ne peut pas être connu" in PEOPLE_NOTE


def test_stats_of_a_new_database_are_empty(counter: Counter, db: Path) -> None:
    report = read_stats(db)
    assert report.rows == ()
    assert (report.first_day, report.last_day, report.downloads, report.sum_daily_visitors) == (None, None, 0, 0)


# --- several servers on PostgreSQL --------------------------------------------------------------


def test_postgresql_servers_share_the_salt_of_the_day_and_forget_it_the_next_day(pg_url: str, robots: Robots) -> None:
    import psycopg

    clock = Clock("2024-03-05T23:59:40")
    first, second = (open_counter(pg_url, clock=clock, robots=robots) for _ in range(2))
    try:
        assert get(first)
        clock.advance(10)
        assert not get(second)  # a double click across two servers: counted once
        clock.at("2024-03-06T00:00:30")
        assert get(second, "autre-fiche")
        with psycopg.connect(pg_url) as conn:
            salts = conn.execute("SELECT day FROM salts").fetchall()
            days = {table: conn.execute(f"SELECT DISTINCT day FROM {table}").fetchall()
                    for table in ("clicks", "hours", "day_visitors")}
        assert salts == [("2024-03-06",)]  # yesterday's salt is gone, and every visitor of yesterday with it
        assert days == {table: [("2024-03-06",)] for table in days}
    finally:
        first.close()
        second.close()
    assert totals(pg_url) == (2, 2)
