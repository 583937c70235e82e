"""A process defined only for the tests (errands, 差事): it proves handling is general."""

from django.apps import AppConfig


class ErrandsConfig(AppConfig):
    name = "zhitong.handling.tests.errands"
    label = "errands"
    verbose_name = "测试事项"

    def ready(self):
        from zhitong.handling.registry import register
        from zhitong.handling.tests.errands.process import ErrandProcess

        register(ErrandProcess())
