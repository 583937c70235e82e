"""A small router for the tests: the shipped labelled messages of two classes, mapped onto
two of a test district's categories."""

import hashlib

from zhitong.insights import data, services
from zhitong.insights.models import RouterVersion
from zhitong.insights.router import Message, Router

HOUSING, SCHOOLS = "城乡建设", "教育文体"


def shipped(per_class: int = 40, classes=(HOUSING, SCHOOLS)):
    """The first `per_class` labelled messages of each class: (messages, classes)."""
    found = data.labelled(data.LABELLED)
    messages, labels, seen = [], [], {}
    for message, label in zip(found.messages, found.labels, strict=True):
        if label in classes and seen.get(label, 0) < per_class:
            seen[label] = seen.get(label, 0) + 1
            messages.append(message)
            labels.append(label)
    return messages, labels


def seed(mapping: dict[str, str], per_class: int = 40) -> int:
    """Seed training rows from the shipped messages, their class mapped to a code."""
    messages, labels = shipped(per_class, tuple(mapping))
    return services.examples_seed(
        ("tipdm2020c", str(i), m.title, m.text, mapping[label])
        for i, (m, label) in enumerate(zip(messages, labels, strict=True))
    )


def install(mapping: dict[str, str], per_class: int = 30, number: int = 1) -> RouterVersion:
    """A current router trained on the shipped messages, without measuring it."""
    messages, labels = shipped(per_class, tuple(mapping))
    router = Router().fit(messages, [mapping[label] for label in labels])
    router.threshold = 0.9
    RouterVersion.objects.filter(state=RouterVersion.State.CURRENT).update(
        state=RouterVersion.State.RETIRED
    )
    return RouterVersion.objects.create(
        number=number,
        state=RouterVersion.State.CURRENT,
        examples=len(labels),
        labels=sorted(mapping.values()),
        figures={
            "accuracy": 0.9,
            "macro_f1": 0.9,
            "top2_accuracy": 1.0,
            "coverage_at_precision_95": 0.5,
            "threshold": 0.9,
            "held_back": 10,
        },
        blob=(blob := router.dumps()),
        digest=hashlib.sha256(blob).hexdigest(),
    )


SCHOOL_TEXT = Message(
    "孩子就近入学的学校学位不够",
    "我家在本社区，孩子今年小学入学，学校说学位已满，要到很远的学校读书，请教育局解决学位问题。",
)
