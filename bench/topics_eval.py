"""Hot topics on the shipped 4,326 messages with votes (docs/insights.md): the top topics
as insights.topics finds them, each with its heat and parts, time span, people, votes,
name and every message (date, votes, user, title), for a reader to judge.

Run: `OMP_NUM_THREADS=1 .venv/bin/python bench/topics_eval.py [half-life days] [top]`
(about 20 s). "Now" is the day after the last message. The half-life is the dashboard's
(30 days) by default; 180 shows the whole period's topics.
"""

import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]

from zhitong.insights import data, topics  # noqa: E402
from zhitong.insights.router import Message  # noqa: E402
from zhitong.insights.similarity import Printer  # noqa: E402


def main() -> None:
    half_life = float(sys.argv[1]) if len(sys.argv) > 1 else topics.HALF_LIFE_DAYS
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    items = data.with_votes()
    start = time.perf_counter()
    printer = Printer(data.background())
    prints = printer.prints([item.message for item in items])
    titles = printer.prints([Message(item.message.title, "") for item in items])
    words = topics.background_words()
    prepared = time.perf_counter() - start
    now = max(item.at for item in items).replace(hour=0, minute=0, second=0)
    now += datetime.timedelta(days=1)
    start = time.perf_counter()
    found = topics.hot_topics(
        items, prints, titles, now=now, background=words, half_life_days=half_life, top=top
    )
    grouped = time.perf_counter() - start
    by_id = {item.id: item for item in items}
    print(
        f"{len(items)} messages, now {now:%Y-%m-%d}, half-life {half_life:g} days, "
        f"window {topics.WINDOW_DAYS} days, threshold {topics.SAME_MATTER}; "
        f"fingerprints and words {prepared:.1f} s, grouping and heat {grouped:.1f} s"
    )
    for rank, topic in enumerate(found, start=1):
        print(
            f"\n#{rank} heat {topic.heat} (weight {topic.parts['weight']} × spread "
            f"{topic.parts['spread']}) · {topic.size} messages, {topic.people} people, "
            f"{topic.votes} votes · {topic.first:%Y-%m-%d} – {topic.last:%Y-%m-%d}"
        )
        print(f"   name: {topic.name} · central: {topic.title}")
        for message_id in topic.ids:
            item = by_id[message_id]
            print(f"   {item.at:%Y-%m-%d} {item.votes:5d} {item.person:10s} {item.message.title}")


if __name__ == "__main__":
    main()
