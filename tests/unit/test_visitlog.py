"""A lab's visit log: the format read, every bad log refused in one line, and no raw identifier kept."""

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import LabsimError
from sim.logs import logfile, visitlog
from sim.logs.visitlog import hash_people, read_log

TODAY = pd.Timestamp("2025-06-30")
GOOD = ("person,date,kind,channel\n"
        "alice,2024-03-15,visit,footfall\n"
        "bob,2024-03-15T14:30,workshop,\n"
        "alice,2024-03-15 18:00,,\n"  # alice again that day: counted once
        "carol,2024-03-16,membership_start,web\n"
        "carol,2024-03-16,Event,web\n")


def write(tmp_path, text, name="log.csv", mode="w"):
    path = tmp_path / name
    path.write_bytes(text) if mode == "wb" else path.write_text(text, encoding="utf-8")
    return path


def refused(path, **options) -> str:
    with pytest.raises(LabsimError) as info:
        read_log(path, today=TODAY, **options)
    (line,) = info.value.problems
    assert "\n" not in line and str(path) in line
    return line


def test_a_good_log_is_read_into_hashed_people_days_kinds_and_channels(tmp_path):
    log = read_log(write(tmp_path, GOOD), today=TODAY, salt=b"s")
    v = log.visits
    assert list(v.columns) == ["person_hash", "date", "kind", "channel"]
    assert log.rows == 5 and log.duplicates == 1 and len(v) == 4
    assert list(v["kind"].astype(str)) == ["visit", "workshop", "membership_start", "event"]  # 'Event': case-blind
    assert list(v["date"].dt.strftime("%Y-%m-%d")) == ["2024-03-15", "2024-03-15", "2024-03-16", "2024-03-16"]
    assert list(v["channel"].astype(str)) == ["footfall", "", "web", "web"]
    assert v["person_hash"].dtype == "uint64" and v["person_hash"].nunique() == 3


def test_a_membership_row_on_a_visit_day_is_not_a_repeat_visit(tmp_path):
    v = read_log(write(tmp_path, GOOD), today=TODAY).visits
    carol = v[v["channel"] == "web"]
    assert set(carol["kind"].astype(str)) == {"membership_start", "event"}


def test_columns_are_mapped_and_kind_and_channel_are_optional(tmp_path):
    path = write(tmp_path, "badge,when,other\nx1,2024-01-02,9\nx2,2024-01-03,9\n")
    v = read_log(path, person_col="badge", date_col="when", today=TODAY).visits
    assert list(v["kind"].astype(str)) == ["visit", "visit"] and set(v["channel"].astype(str)) == {""}


def test_parquet_logs_with_dates_and_numeric_ids_are_read(tmp_path):
    path = tmp_path / "log.parquet"
    pd.DataFrame({"who": [7, 8, 8], "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-02"]).date}
                 ).to_parquet(path)
    log = read_log(path, person_col="who", date_col="when", today=TODAY)
    assert len(log.visits) == 2 and log.duplicates == 1


def test_a_large_log_is_read_in_chunks_with_progress_and_the_same_result(tmp_path, monkeypatch):
    rows = "".join(f"p{i % 7},2024-01-{1 + i % 28:02d}\n" for i in range(200))
    path = write(tmp_path, "person,date\n" + rows)
    whole = read_log(path, today=TODAY, salt=b"k")
    monkeypatch.setattr(visitlog, "CHUNK_ROWS", 16)
    seen = []
    chunked = read_log(path, today=TODAY, salt=b"k", progress=seen.append)
    pd.testing.assert_frame_equal(whole.visits, chunked.visits)
    assert chunked.duplicates == whole.duplicates > 0  # repeats across chunks are found too
    assert len(seen) == 13 and seen == sorted(seen) and seen[-1] == 1.0


def test_a_bad_date_names_its_line_in_a_later_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(visitlog, "CHUNK_ROWS", 4)
    rows = ["person,date"] + [f"p{i},2024-01-01" for i in range(9)] + ["p9,15/03/2024"]
    line = refused(write(tmp_path, "\n".join(rows) + "\n"))
    assert "line 11, column 'date': a date with the day or month first" in line and "2024-03-15" in line
    assert "15/03/2024" not in line.split("(e.g.")[0] + line.split("ambiguous")[1]


@pytest.mark.parametrize("text, expected", [
    ("person,date\na,2024-13-01\n", "line 2, column 'date': not a date; allowed"),
    ("person,date\na,\n", "line 2, column 'date': an empty date"),
    ("person,date\na,2024-01-01\nb,2031-01-01\n", "line 3, column 'date': a date in the future (today is 2025-06-30)"),
    ("", "an empty file"),
    ("person,date\n", "a header and no rows"),
    ("persn,date\na,2024-01-01\n", "no column 'person' (did you mean 'persn'?); its columns: 'persn', 'date'; "
                                   "name yours with --person-col"),
    ("person,day\na,2024-01-01\n", "no column 'date'; its columns: 'person', 'day'; name yours with --date-col"),
    ("person,date\n,2024-01-01\n", "line 2, column 'person': no person"),
    ("person,date,kind\na,2024-01-01,vist\n", "line 2, column 'kind': not a kind (did you mean 'visit'?)"),
    ('person,date\na,"2024-01-01\n', "not a readable CSV file"),
])
def test_every_bad_log_is_one_line(tmp_path, text, expected):
    assert expected in refused(write(tmp_path, text))


def test_an_explicit_kind_column_must_exist(tmp_path):
    line = refused(write(tmp_path, "person,date,type\na,2024-01-01,visit\n"), kind_col="kind")
    assert "no column 'kind'" in line and "--kind-col" in line


@pytest.mark.parametrize("raw, expected", [
    ("person,date\nalice,2024-01-01\njos\xe9,2024-01-02\n".encode("latin-1"), "not UTF-8 text (line 3, byte b'\\xe9')"),
    ("person,date\nzo\u00e9,2024-01-01\n".encode() + "jos\xe9,2024-01-02\n".encode("latin-1"), "(line 3"),  # mixed
    ("person,date\na,2024-01-01\n".encode("utf-16"), "not UTF-8 text (line 1"),
])
def test_logs_that_are_not_utf8_are_refused_naming_the_line(tmp_path, raw, expected):
    assert expected in refused(write(tmp_path, raw, mode="wb"))


def test_a_utf8_log_with_a_byte_order_mark_is_read(tmp_path):
    path = write(tmp_path, "\ufeffperson,date\nzo\u00e9,2024-01-01\n")
    assert len(read_log(path, today=TODAY).visits) == 1


def test_a_log_too_large_is_refused_before_or_while_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, "person,date\n" + "a,2024-01-01\n" * 30)
    monkeypatch.setattr(visitlog, "MAX_ROWS", 20)
    assert "more than 20 rows; allowed: at most 20" in refused(path)
    monkeypatch.setattr(logfile, "MAX_BYTES", 100)  # checked before the read, without pandas (sim.logs.logfile)
    assert "bytes; allowed: a log of at most 100 bytes" in refused(path)


def test_other_files_are_refused(tmp_path):
    assert "a '.xlsx' file; allowed: a log in delimited text" in refused(write(tmp_path, "person,date\n", name="log.xlsx"))
    assert "no such file" in refused(tmp_path / "absent.csv")
    (tmp_path / "folder.csv").mkdir()
    assert "not a regular file" in refused(tmp_path / "folder.csv")
    os.mkfifo(tmp_path / "pipe.csv")  # a pipe would hang a reader: refused before it is opened
    assert "not a regular file (a folder, a pipe or a device)" in refused(tmp_path / "pipe.csv")
    assert "not a readable Parquet file" in refused(write(tmp_path, "person,date\n", name="x.parquet"))


# -- privacy -------------------------------------------------------------------------------------------------------
def test_no_raw_identifier_is_kept_and_hashes_change_with_the_salt(tmp_path):
    path = write(tmp_path, GOOD)
    one, two = read_log(path, today=TODAY), read_log(path, today=TODAY)
    text = one.visits.to_csv() + repr(one)
    assert not any(name in text for name in ("alice", "bob", "carol"))
    assert set(one.visits["person_hash"]).isdisjoint(two.visits["person_hash"])  # a random salt per reading
    same = read_log(path, today=TODAY, salt=b"fixed").visits["person_hash"]
    assert list(same) == list(read_log(path, today=TODAY, salt=b"fixed").visits["person_hash"])


def test_the_hash_is_a_keyed_blake2b_of_the_identifier():
    import hashlib

    expected = int.from_bytes(hashlib.blake2b(b"alice", key=b"salt", digest_size=8).digest(), "little")
    assert list(hash_people(["alice", "bob", "alice"], b"salt")) == [expected, hash_people(["bob"], b"salt")[0],
                                                                      expected]


# -- whatever the file holds: a log or one line, never a traceback ------------------------------------------------

CELLS = st.one_of(st.sampled_from(["2024-01-01", "2024-02-30", "2024-01-01T10:00+02:00", "2099-01-01", "", "visit",
                                   "membership_end", "nan", "NULL", '"', '"a,b"', "=cmd", "\u00e9", "\x00", "1e9",
                                   "0001-01-01", "2024-01-01 25:00", " 2024-01-02 "]), st.text(max_size=8))
ROWS = st.lists(st.lists(CELLS, min_size=1, max_size=5).map(",".join), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(header=st.sampled_from(["person,date", "person,date,kind", "person,date,kind,channel", "date,person",
                               "person", "", "person,date,date"]), rows=ROWS,
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_fuzz_any_csv_is_a_log_or_one_line(tmp_path_factory, header, rows, encoding):
    path = tmp_path_factory.mktemp("log") / "log.csv"
    errors = "replace" if encoding == "latin-1" else "surrogatepass"  # lone surrogates: bytes that are not UTF-8
    path.write_bytes("\n".join([header, *rows]).encode(encoding, errors))
    try:
        log = read_log(path, today=TODAY)
    except LabsimError as exc:
        assert len(exc.problems) == 1 and "\n" not in exc.problems[0].replace("\\n", "")
    else:
        assert list(log.visits.columns) == ["person_hash", "date", "kind", "channel"] and log.rows >= len(log.visits)


# -- logs as labs have them (issue 31, item 6) ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("alice 2024-03-15\nbob 2024-03-16\n", "separated by spaces, not commas, and has no header line: add --sep "
                                            "whitespace --no-header (the person is then column 1 and the date column 2"),
    ("  00001 19970101 1 11.77\n", "separated by spaces, not commas, and has no header line: add --sep whitespace "
                                   "--no-header"),  # a repeat-purchase dataset's layout
    ("person\tdate\nalice\t2024-03-15\n", "separated by tabs, not commas: add --sep tab"),
    ("person;date\nalice;2024-03-15\n", "separated by semicolons, not commas: add --sep ';'"),
    ("alice,2024-03-15\nbob,2024-03-16\n", "its first line looks like a visit, not a header: add --no-header (columns "
                                           "are then named by position"),
    ("alice,20240315\nbob,20240316\n", "its first line looks like a visit, not a header"),
])
def test_a_log_in_another_common_format_gets_a_one_line_hint(tmp_path, text, expected):
    line = refused(write(tmp_path, text))
    assert expected in line and "no column 'person'" in line, line
    assert "alice" not in line and "00001" not in line  # a first line that is a visit is not repeated


@pytest.mark.parametrize(("text", "fmt", "columns"), [
    ("  00001 19970101 1 11.77\n  00002 19970112 5 77.00\n\n  00001 19970301 2 20.76\n",
     logfile.LogFormat(sep=logfile.WHITESPACE, header=False), {}),
    ("19970101\t00001\t1\n19970112\t00002\t5\n19970301\t00001\t2\n", logfile.LogFormat(sep="\t", header=False),
     {"person_col": "2", "date_col": "1"}),
    ("who;when;amount\n00001;1997-01-01;1\n00002;19970112;5\n00001;19970301;2\n", logfile.LogFormat(sep=";"),
     {"person_col": "who", "date_col": "when"}),
    ("00001,19970101,1\n00002,19970112,5\n00001,19970301,2\n", logfile.LogFormat(header=False), {}),
])
def test_whitespace_tab_semicolon_and_header_less_logs_are_read_with_sep_and_no_header(tmp_path, text, fmt, columns):
    names = {"person_col": "1", "date_col": "2"} if not fmt.header else {}
    path = write(tmp_path, text)
    logfile.check_log(path, **(names | columns), fmt=fmt)
    log = read_log(path, today=TODAY, salt=b"k", fmt=fmt, **(names | columns))
    assert list(log.visits["date"].dt.strftime("%Y-%m-%d")) == ["1997-01-01", "1997-01-12", "1997-03-01"]
    assert log.visits["person_hash"].nunique() == 2 and log.rows == 3
    assert log.ignored == (["amount"] if fmt.header else ["3", "4"] if fmt.sep == logfile.WHITESPACE else ["3"])


def test_a_header_less_log_names_its_bad_line_by_the_files_count(tmp_path):
    fmt = logfile.LogFormat(sep=logfile.WHITESPACE, header=False)
    path = write(tmp_path, "a 20240101\n\nb 2024-01-02\nc 15/01/2024\n")
    line = refused(path, person_col="1", date_col="2", fmt=fmt)
    assert "line 4, column '2': a date with the day or month first" in line


def test_a_header_less_log_of_one_column_says_which_separator(tmp_path):
    path = write(tmp_path, "a 2024-01-01\nb 2024-01-02\n")
    line = refused(path, person_col="1", date_col="2", fmt=logfile.LogFormat(header=False))
    assert line.endswith("one column only; the file looks separated by spaces, not commas: add --sep whitespace")


def test_compact_dates_are_read_and_extra_columns_ignored(tmp_path):
    text = 'id,person,date,room,notes\n1,alice,20240315,A,x\n2,bob,2024-03-16,B,"a, b"\n3,alice,20240317,A,\n'
    log = read_log(write(tmp_path, text), today=TODAY)
    assert list(log.visits["date"].dt.strftime("%Y-%m-%d")) == ["2024-03-15", "2024-03-16", "2024-03-17"]
    assert list(log.visits.columns) == ["person_hash", "date", "kind", "channel"]
    assert "allowed: an ISO 8601 date or date-time, e.g. 2024-03-15, 20240315" in refused(
        write(tmp_path, "person,date\nalice,20241315\n"))  # no 13th month: still refused, naming the format


# -- columns, lines, time zones, sizes and values: issue 33 --------------------------------------------------------
def test_a_doubled_csv_header_is_refused_not_silently_the_first(tmp_path):
    line = refused(write(tmp_path, "person,date,date\na,2024-01-01,2024-02-01\n"))
    assert "columns 2 and 3 are both named 'date'" in line
    # a doubled column labsim does not use is no matter
    assert len(read_log(write(tmp_path, "person,date,x,x\na,2024-01-01,1,2\n"), today=TODAY).visits) == 1


def test_a_doubled_parquet_column_is_refused_in_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "log.parquet"
    pq.write_table(pa.Table.from_arrays([pa.array(["a"]), pa.array(["2024-01-01"]), pa.array(["2024-01-02"])],
                                        names=["person", "date", "date"]), path)
    assert "columns 2 and 3 are both named 'date'" in refused(path)


@pytest.mark.parametrize("options, expected", [
    ({"person_col": "badge", "date_col": "badge"}, "--person-col and --date-col both name the column 'badge'"),
    ({"person_col": "badge", "kind_col": "badge"}, "--person-col and --kind-col both name the column 'badge'"),
])
def test_one_column_named_by_two_flags_is_one_line(tmp_path, options, expected):
    assert expected in refused(write(tmp_path, "badge,date,kind\na,2024-01-01,visit\n"), **options)


def test_a_default_optional_column_taken_by_a_flag_is_not_read_twice(tmp_path):
    log = read_log(write(tmp_path, "kind,date\nk1,2024-01-01\n"), person_col="kind", today=TODAY)
    assert list(log.visits["kind"].astype(str)) == ["visit"]


@pytest.mark.parametrize("text, line", [
    ('person,date,channel\na,2024-01-01,"two\nlines"\nb,bad,\n', 4),
    ('person,date,channel\na,2024-01-01,"three\n\nlines"\n\nb,2024-01-02,\nc,bad,\n', 7),
    ("person,date\n\n\na,bad\n", 4),
])
def test_the_line_named_is_the_files_line_after_quoted_line_breaks_and_blank_lines(tmp_path, text, line):
    assert f"line {line}, column 'date'" in refused(write(tmp_path, text))


def test_the_line_is_right_in_a_later_chunk_after_a_quoted_line_break(tmp_path, monkeypatch):
    monkeypatch.setattr(visitlog, "CHUNK_ROWS", 2)
    rows = ["person,date,channel", 'a,2024-01-01,"x\ny"'] + [f"p{i},2024-01-01," for i in range(4)] + ["z,bad,"]
    assert "line 8, column 'date'" in refused(write(tmp_path, "\n".join(rows) + "\n"))


def test_a_date_time_is_its_day_as_written_whatever_its_chunk_holds(tmp_path, monkeypatch):
    rows = ["person,date", "a,2024-03-15T23:30+01:00", "b,2024-03-15T23:30-05:00", "c,2024-03-16",
            "d,2024-03-15T23:30Z", "e,2024-03-15 23:30:00.5+0200"]
    path = write(tmp_path, "\n".join(rows) + "\n")
    whole = read_log(path, today=TODAY, salt=b"k").visits
    assert sorted(whole["date"].dt.strftime("%d")) == ["15", "15", "15", "15", "16"]
    for size in (1, 2, 3):  # the same days, whichever rows share a chunk
        monkeypatch.setattr(visitlog, "CHUNK_ROWS", size)
        pd.testing.assert_frame_equal(read_log(path, today=TODAY, salt=b"k").visits, whole)


def test_date_only_rows_do_not_move_a_single_offset_log_to_utc(tmp_path):
    path = write(tmp_path, "person,date\na,2024-03-15T23:30+01:00\nb,2024-03-20\n")
    days = read_log(path, today=TODAY).visits["date"].dt.strftime("%Y-%m-%d")
    assert sorted(days) == ["2024-03-15", "2024-03-20"]


def test_a_parquet_log_over_the_limit_is_refused_from_its_footer_before_any_row(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    path = tmp_path / "log.parquet"
    pd.DataFrame({"person": ["a"] * 30, "date": ["2024-01-01"] * 30}).to_parquet(path)
    monkeypatch.setattr(visitlog, "MAX_ROWS", 20)

    def no_rows(*args, **kwargs):
        raise AssertionError("rows read before the footer's count was checked")

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", no_rows)
    assert "30 rows (its footer says); allowed: at most 20" in refused(path)


@pytest.mark.parametrize("text, options", [
    ("person,date\n2024-01-01,alice.secret@example.org\n", {}),  # person and date swapped
    ("person,date\nalice.secret@example.org,15/03/2024\n", {}),
    ("person,date,kind\nbob,2024-01-01,alice.secret@example.org\n", {}),
    ("alice.secret@example.org,2024-01-01\nbob,2024-01-02\n", {}),  # no header line: its first row is data
    ('person,date\nalice.secret@example.org,"2024-01-01\n', {}),
])
def test_no_raw_value_of_the_log_is_in_an_error(tmp_path, text, options):
    line = refused(write(tmp_path, text), **options)
    assert "alice" not in line and "secret" not in line


def test_a_parquet_log_of_nested_or_odd_columns_is_one_line(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "log.parquet"
    pq.write_table(pa.table({"person": pa.array([["x"], ["y"]]), "date": pa.array([{"a": 1}, {"a": 2}])}), path)
    line = refused(path)
    assert "row 1, column 'date'" in line


@pytest.mark.parametrize(("text", "sep"), [(";", ";"), ("tab", "\t"), ("\\t", "\t"), ("\t", "\t"), (" ", "whitespace"),
                                          ("whitespace", "whitespace"), ("Space", "whitespace"), ("|", "|")])
def test_sep_takes_a_character_or_a_name(text, sep):
    from sim.cli.options import separator_type

    assert separator_type(text) == sep


@pytest.mark.parametrize("text", ["ab", "", '"', "a", "1", "\n"])
def test_sep_refuses_what_cannot_separate_columns(text):
    import argparse

    from sim.cli.options import separator_type

    with pytest.raises(argparse.ArgumentTypeError, match="allowed: one character"):
        separator_type(text)


def test_no_header_names_the_columns_by_position_and_refuses_a_name():
    import argparse

    from sim.cli.options import log_format_of

    args = argparse.Namespace(no_header=True, sep="whitespace", person_col="person", date_col="date", kind_col="04",
                              channel_col=None)
    fmt = log_format_of(args)
    assert (args.person_col, args.date_col, args.kind_col) == ("1", "2", "4") and fmt == logfile.LogFormat(
        sep="whitespace", header=False)
    args = argparse.Namespace(no_header=True, sep=",", person_col="badge", date_col="date")
    with pytest.raises(LabsimError, match="--person-col: got 'badge'; allowed with --no-header: a column's position"):
        log_format_of(args)
    args = argparse.Namespace(no_header=False, sep=",", person_col="badge", date_col="date")
    assert log_format_of(args) == logfile.CSV and args.person_col == "badge"


def test_a_header_less_log_without_the_asked_position_says_how_many_columns_it_has(tmp_path):
    path = write(tmp_path, "a 2024-01-01\nb 2024-01-02\n")
    fmt = logfile.LogFormat(sep=logfile.WHITESPACE, header=False)
    line = refused(path, person_col="1", date_col="3", fmt=fmt)
    assert line.endswith("no column 3: the log has 2 columns (with --no-header, --date-col is a column's position)")
