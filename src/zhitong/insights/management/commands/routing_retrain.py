"""Retrain the router on every training row (what the retraining job does), and say
whether the new version replaced the current one."""

from django.core.management.base import BaseCommand, CommandError

from zhitong.insights.services import InsightsError, retrain


class Command(BaseCommand):
    help = "Train a new router version; it becomes current unless it measures worse."

    def handle(self, *args, **options):
        try:
            version = retrain()
        except InsightsError as error:
            raise CommandError(str(error)) from error
        figures = version.figures
        self.stdout.write(
            f"version {version.number}: {version.get_state_display()} · "
            f"{version.examples} rows, held back {figures['held_back']} · "
            f"accuracy {figures['accuracy']:.3f}, macro-F1 {figures['macro_f1']:.3f}, "
            f"top-2 {figures['top2_accuracy']:.3f}, "
            f"routable at 95% precision {figures['coverage_at_precision_95']:.3f} · "
            f"{version.seconds:.1f} s"
        )
        if version.refusal:
            self.stdout.write(version.refusal)
