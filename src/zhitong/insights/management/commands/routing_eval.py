"""Train the router only on file A and measure it on file B.

    manage.py routing_eval --train A.xlsx --test B.csv

Each file is .csv, .csv.gz or .xlsx with the columns 留言主题, 留言详情 and 一级分类 (other
names with --title, --text, --label). The confidence threshold for routing by itself is
chosen on A by cross-validation, never on B. The shipped taxonomy's subjects of A's classes
(data/tipdm2020c, matched by the first-level name) are prior rows of every training
(--no-taxonomy leaves them out), and the shipped unlabelled messages give the n-grams'
document frequencies (zhitong.insights.router). The last line printed is one JSON object:
accuracy, macro_f1, top2_accuracy, coverage_at_precision_95 (and the threshold, the
precision reached above it on B, the rows of each file, the seconds taken).
"""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from zhitong.insights import data, evaluation


class Command(BaseCommand):
    help = "Train the router on --train only and print its figures on --test as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="labelled messages to train on")
        parser.add_argument("--test", required=True, help="labelled messages to measure on")
        parser.add_argument("--title", default=data.TITLE, help="the title column")
        parser.add_argument("--text", default=data.TEXT, help="the text column")
        parser.add_argument("--label", default=data.LABEL, help="the label column")
        parser.add_argument(
            "--no-taxonomy",
            action="store_false",
            dest="taxonomy",
            help="do not add the shipped taxonomy's subjects of A's classes as prior rows",
        )

    def handle(self, *args, **options):
        columns = {k: options[k] for k in ("title", "text", "label")}
        try:
            train = data.labelled(options["train"], **columns)
            test = data.labelled(options["test"], **columns)
        except (OSError, data.DataError) as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        prior = data.taxonomy_prior(set(train.labels)) if options["taxonomy"] else None
        _router, figures = evaluation.train_and_measure(
            data.make_router, (train.messages, train.labels), (test.messages, test.labels), prior
        )
        unseen = sorted(set(test.labels) - set(train.labels))
        if unseen:
            self.stderr.write(f"labels in --test never seen in --train: {', '.join(unseen)}")
        self.stderr.write(
            f"trained on {len(train.labels)} rows, measured on {len(test.labels)} rows"
        )
        result = {
            "accuracy": figures["accuracy"],
            "macro_f1": figures["macro_f1"],
            "top2_accuracy": figures["top2_accuracy"],
            "coverage_at_precision_95": figures["coverage_at_precision_95"],
            "precision_when_routed": figures["precision_when_routed"],
            "threshold": figures["threshold"],
            "train_rows": len(train.labels),
            "test_rows": len(test.labels),
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))
