"""The one field for several files at once: its bounds, its messages, what it cleans to."""

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from zhitong.core.forms import MultipleFileField


class Form(forms.Form):
    files = MultipleFileField(label="附件", required=False, max_count=2, max_size=1024 * 1024)


class RequiredForm(forms.Form):
    files = MultipleFileField(label="附件", max_count=2, max_size=1024 * 1024)


def upload(name="a.pdf", size=10):
    return SimpleUploadedFile(name, b"x" * size)


def bound(form_class, *uploads):
    return form_class(data={}, files=MultiValueDict({"files": list(uploads)}))


def test_several_files_clean_to_a_list_in_their_order():
    form = bound(Form, upload("a.pdf"), upload("b.pdf"))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["files"]] == ["a.pdf", "b.pdf"]


def test_nothing_chosen_is_an_empty_list_or_required():
    form = bound(Form)
    assert form.is_valid() and form.cleaned_data["files"] == []
    assert not bound(RequiredForm).is_valid()


def test_more_files_than_the_bound_are_refused_in_chinese():
    form = bound(Form, upload("a.pdf"), upload("b.pdf"), upload("c.pdf"))
    assert form.errors["files"] == ["最多上传 2 个文件，您选择了 3 个。"]


def test_every_file_too_large_is_named():
    form = bound(Form, upload("big.pdf", 2 * 1024 * 1024), upload("huge.pdf", 3 * 1024 * 1024))
    assert form.errors["files"] == [
        "“big.pdf”过大（2.0 MB），每个文件不能超过 1 MB。",
        "“huge.pdf”过大（3.0 MB），每个文件不能超过 1 MB。",
    ]


def test_an_empty_file_is_refused():
    assert not bound(Form, upload("empty.pdf", 0)).is_valid()


def test_the_input_takes_several_files_and_the_accept_hint():
    class PhotoForm(forms.Form):
        photos = MultipleFileField(max_count=3, max_size=5, accept="image/jpeg")

    html = str(PhotoForm()["photos"])
    assert "multiple" in html and 'accept="image/jpeg"' in html
