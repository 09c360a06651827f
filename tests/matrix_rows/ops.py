"""Health probes are open to everyone (load balancers carry no session); the undelivered-mail
list and *opnieuw versturen* are for register staff only."""

from peregister.notifications.models import OutboxMessage
from tests.conftest import World
from tests.matrix import Row, expect
from tests.outbox import failed_message

EVERYONE = expect(200, anonymous=200)


def resend_path(world: World) -> str:
    message = OutboxMessage.objects.filter(state=OutboxMessage.State.FAILED).first()
    return f"/register/e-mail/{(message or failed_message()).code}/opnieuw/"


ROWS = [
    Row("ops:healthz", lambda w: "/healthz", EVERYONE),
    Row("ops:readyz", lambda w: "/readyz", EVERYONE),
    Row("backoffice:mail", lambda w: "/register/e-mail/", expect(404, staff=200)),
    Row("backoffice:security", lambda w: "/register/beveiliging/", expect(404, staff=200)),
    # Staff are sent back to the list with the outcome.
    Row("backoffice:mail_resend", resend_path, expect(404, staff=302), method="post"),
    Row(
        "backoffice:mail_resend_all",
        lambda w: "/register/e-mail/opnieuw/",
        expect(404, staff=302),
        method="post",
    ),
]
