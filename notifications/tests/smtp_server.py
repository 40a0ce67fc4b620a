"""An SMTP server for tests, run by ``python -m aiosmtpd -c``: a maildir like
aiosmtpd's ``Mailbox``, whose first message is refused with a temporary error
(451), as a server that is busy for a moment."""

from aiosmtpd.handlers import Mailbox


class RefusesFirstMailbox(Mailbox):
    refused = False

    async def handle_DATA(self, server, session, envelope):
        if not self.refused:
            self.refused = True
            return "451 4.3.0 Busy, try again later"
        return await super().handle_DATA(server, session, envelope)
