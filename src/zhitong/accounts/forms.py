"""Forms of the accounts app: sign-in and the password reset request (the password change
and the new password from a reset link are Django's own forms). Every form is rendered
with Bootstrap classes by zhitong.core.forms."""

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username and password; the inactive and locked-out cases are refused by the backends."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确。请注意区分大小写。"),
        "inactive": _("此账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")


class EmailPasswordResetForm(PasswordResetForm):
    """The e-mail address to send a reset link to; answered the same whether or not an
    account has it (Django's form sends only to active accounts with a usable password)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("账号绑定的电子邮箱")
