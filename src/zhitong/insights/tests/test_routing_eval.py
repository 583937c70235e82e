"""`routing_eval --train A --test B`: trains on A only, prints the figures on B as JSON."""

import csv
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from zhitong.insights import data

COLUMNS = ["留言编号", "留言主题", "留言详情", "一级分类"]


def split(per_class_train=25, per_class_test=8):
    found = data.labelled(data.LABELLED)
    train, test, seen = [], [], {}
    for i, (m, label) in enumerate(zip(found.messages, found.labels, strict=True)):
        n = seen[label] = seen.get(label, 0) + 1
        row = [str(i), m.title, m.text, label]
        if n <= per_class_train:
            train.append(row)
        elif n <= per_class_train + per_class_test:
            test.append(row)
    return train, test


def write_csv(path, rows, columns=COLUMNS):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, columns=COLUMNS):
    book = Workbook()
    sheet = book.active
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def last_json(capsys) -> dict:
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_trains_on_a_and_prints_the_figures_on_b_as_its_last_line(tmp_path, capsys):
    train, test = split()
    call_command(
        "routing_eval",
        "--train",
        str(write_csv(tmp_path / "a.csv", train)),
        "--test",
        str(write_xlsx(tmp_path / "b.xlsx", test)),
    )
    result = last_json(capsys)
    for key in ("accuracy", "macro_f1", "top2_accuracy", "coverage_at_precision_95"):
        assert 0 <= result[key] <= 1
    assert result["train_rows"] == len(train) and result["test_rows"] == len(test)
    assert result["top2_accuracy"] >= result["accuracy"]
    # Far better than chance among 7 classes, even from 25 messages a class.
    assert result["accuracy"] > 0.5


def test_other_column_names_are_given_as_options(tmp_path, capsys):
    train, test = split(12, 4)
    columns = ["id", "title", "body", "class"]
    call_command(
        "routing_eval",
        "--train",
        str(write_csv(tmp_path / "a.csv", train, columns)),
        "--test",
        str(write_csv(tmp_path / "b.csv", test, columns)),
        "--title",
        "title",
        "--text",
        "body",
        "--label",
        "class",
    )
    assert last_json(capsys)["test_rows"] == len(test)


def test_the_threshold_is_chosen_on_a_alone(tmp_path, capsys):
    """The same A with two different B gives the same threshold."""
    train, test = split(20, 10)
    a = str(write_csv(tmp_path / "a.csv", train))
    call_command(
        "routing_eval", "--train", a, "--test", str(write_csv(tmp_path / "b1.csv", test[:20]))
    )
    first = last_json(capsys)["threshold"]
    call_command(
        "routing_eval", "--train", a, "--test", str(write_csv(tmp_path / "b2.csv", test[20:]))
    )
    assert last_json(capsys)["threshold"] == first


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda p: write_csv(
                p / "x.csv", [["1", "t", "x", "c"]], ["编号", "主题", "详情", "分类"]
            ),
            "no column",
        ),
        (lambda p: (p / "x.txt").write_text("hello") or p / "x.txt", "only .csv"),
        (lambda p: p / "missing.csv", "No such file"),
        (lambda p: write_csv(p / "x.csv", []), "no labelled rows"),
    ],
)
def test_a_file_it_cannot_read_is_a_clear_error(tmp_path, make, message):
    bad = str(make(tmp_path))
    good = str(write_csv(tmp_path / "good.csv", split(5, 0)[0]))
    with pytest.raises(CommandError, match=message):
        call_command("routing_eval", "--train", bad, "--test", good)
