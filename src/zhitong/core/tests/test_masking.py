"""Masking citizens' personal data in lists, exports and the submitter's timeline."""

import pytest

from zhitong.core.masking import (
    mask_contact,
    mask_email,
    mask_name,
    mask_phone,
    mask_street_address,
    scrub,
)
from zhitong.opinions.selectors import submitter_view
from zhitong.testing.factories import OpinionFactory


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", ""), (None, "")],
)
def test_mask_name_keeps_only_the_surname(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13900001234", "139****1234"),
        ("139 0000 1234", "139****1234"),
        ("+8613900001234", "139****1234"),
        ("027-88886666", "027****6666"),
        ("88886666", "******66"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_phone_keeps_the_first_three_and_last_four_digits_of_a_mobile(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_email_and_address():
    assert mask_email("zhangsan@qq.com") == "z***@qq.com"
    assert mask_email("") == ""
    assert mask_street_address("中山路123号5栋2单元301室") == "中山路****"
    assert mask_street_address("紫阳路幸福小区") == "紫阳路****"
    assert mask_street_address("") == ""
    # Nothing of the door number survives.
    assert "301" not in mask_street_address("武昌区中山路123号5栋2单元301室")


@pytest.mark.django_db
def test_the_submitter_as_lists_show_them():
    opinion = OpinionFactory(
        submitter_name="张三丰",
        submitter_phone="13900001234",
        submitter_email="zhang@example.com",
        address="中山路123号",
    )
    assert submitter_view(opinion) == {
        "name": "张**",
        "phone": "139****1234",
        "email": "z***@example.com",
        "address": "中山路****",
    }


def test_a_contact_is_masked_by_its_shape_and_scrubbed_from_error_texts():
    assert mask_contact("13900001234") == "139****1234"
    assert mask_contact("Zhang@Example.cn") == "Z***@Example.cn"
    text = "550 mailbox zhang@example.cn unavailable"
    assert scrub(text.upper(), "zhang@example.cn") == "550 MAILBOX z***@example.cn UNAVAILABLE"
