"""The Train page's address codec (mlpsim.trainlink): a round trip gives back every field, each
bad parameter is refused by name while the others apply, and nothing raises."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from mlpsim import trainlink
from mlpsim.training_run import DataChoice, Settings

CHOICE = DataChoice("spiral", 730, 0.15, 35, 123456)
SETTINGS = Settings("cross_entropy", "adam", 0.0003, 17, 0.001, 0.25, 8)
"""epochs per frame is 8, as in BEFORE_SETTINGS: it is how Play runs, not in the address."""
BEFORE_CHOICE = DataChoice()
BEFORE_SETTINGS = Settings()


def test_a_round_trip_gives_back_every_field():
    params = trainlink.encode(CHOICE, SETTINGS)
    # Written by hand: what the address bar shows for these values.
    assert params == {
        "data": "spiral",
        "points": "730",
        "noise": "15",
        "test": "35",
        "data_seed": "123456",
        "loss": "cross_entropy",
        "opt": "adam",
        "lr": "0.0003",
        "batch": "17",
        "l1": "0.001",
        "l2": "0.25",
    }
    opened = trainlink.decode(params, BEFORE_CHOICE, BEFORE_SETTINGS)
    assert opened == trainlink.Opened(CHOICE, SETTINGS, ())


def test_a_rate_reads_back_to_the_last_bit():
    rate = 0.1 + 0.2  # 0.30000000000000004: a rate typed as a sum must not be rounded away
    opened = trainlink.decode(trainlink.encode(CHOICE, Settings(learning_rate=rate)), BEFORE_CHOICE, BEFORE_SETTINGS)
    assert opened.settings.learning_rate == rate


def test_an_upload_has_no_data_parameters():
    params = trainlink.encode(DataChoice("upload"), SETTINGS)
    assert not {"data", "points", "noise", "test", "data_seed"} & set(params)


def test_absent_and_unknown_parameters_keep_what_the_page_had():
    opened = trainlink.decode({"lr": "0.5", "net": "1.abc", "seed": "9"}, CHOICE, SETTINGS)
    assert opened.choice == CHOICE
    assert opened.settings == Settings("cross_entropy", "adam", 0.5, 17, 0.001, 0.25, 8)
    assert opened.problems == ()


@pytest.mark.parametrize(
    ("parameter", "text", "reason"),
    [
        ("data", "nosuchset", "is not a built-in dataset"),
        ("data", "upload", "is not a built-in dataset"),
        ("points", "25", "is not a multiple of 10"),
        ("points", "10", "is outside 20–1200"),
        ("points", "1210", "is outside 20–1200"),
        ("points", "5e2", "is not a whole number"),
        ("noise", "51", "is outside 0–50"),
        ("noise", "-1", "is outside 0–50"),
        ("noise", "0.1", "is not a whole number"),
        ("test", "95", "is outside 0–90"),
        ("test", "33", "is not a multiple of 5"),
        ("data_seed", "2147483648", "is outside 0–2147483647"),
        ("data_seed", "", "is not a whole number"),
        ("loss", "hinge", "is not a loss"),
        ("opt", "lbfgs", "is not an optimiser"),
        ("lr", "0", "is outside 1e-06–100"),
        ("lr", "101", "is outside 1e-06–100"),
        ("lr", "nan", "is not a number"),
        ("lr", "inf", "is not a number"),
        ("lr", "1e999", "is outside 1e-06–100"),
        ("lr", "0x10", "is not a number"),
        ("batch", "0", "is outside 1–10000"),
        ("batch", "10001", "is outside 1–10000"),
        ("batch", "2.5", "is not a whole number"),
        ("l1", "-0.1", "is outside 0–10"),
        ("l2", "10.5", "is outside 0–10"),
        ("l2", "1" * 41, "is too long"),
    ],
)
def test_each_bad_value_is_named_and_the_rest_still_applies(parameter, text, reason):
    params = trainlink.encode(CHOICE, SETTINGS) | {parameter: text}
    opened = trainlink.decode(params, BEFORE_CHOICE, BEFORE_SETTINGS)
    assert len(opened.problems) == 1
    assert f"({parameter}=" in opened.problems[0]
    assert reason in opened.problems[0]
    # The bad parameter's field keeps what the page had; every other field is the link's.
    field = {
        "data": "name",
        "points": "points",
        "noise": "noise",
        "test": "test_percent",
        "data_seed": "seed",
        "loss": "loss",
        "opt": "optimizer",
        "lr": "learning_rate",
        "batch": "batch_size",
        "l1": "l1",
        "l2": "l2",
    }[parameter]
    if parameter in ("data", "points", "noise", "test", "data_seed"):
        assert opened.choice == replace(CHOICE, **{field: getattr(BEFORE_CHOICE, field)})
        assert opened.settings == SETTINGS
    else:
        assert opened.choice == CHOICE
        assert opened.settings == replace(SETTINGS, **{field: getattr(BEFORE_SETTINGS, field)})


def test_html_and_control_characters_are_quoted_escaped_in_the_message():
    opened = trainlink.decode({"data": "<script>x</script>\n\x00\x1b[31m"}, BEFORE_CHOICE, BEFORE_SETTINGS)
    (problem,) = opened.problems
    assert opened.choice == BEFORE_CHOICE
    assert "\n" not in problem and "\x00" not in problem and "\x1b" not in problem
    assert "\\n" in problem and "\\x00" in problem and "\\x1b" in problem
    # The message is text: the page writes it escaped (workspace.render_notices); here the
    # value is quoted as Python quotes it, cut to MAX_VALUE_CHARS.
    assert "'<script>x</script>\\n\\x00\\x1b[31m'" in problem


def test_every_bad_parameter_at_once_is_named_and_nothing_raises():
    params = dict.fromkeys(trainlink.PARAMETERS, "\u202e<b>")
    opened = trainlink.decode(params, CHOICE, SETTINGS)
    assert opened.choice == CHOICE and opened.settings == SETTINGS
    assert [re.search(r"\((\w+)=", p).group(1) for p in opened.problems] == list(trainlink.PARAMETERS)
