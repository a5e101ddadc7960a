"""Signals of the users app, for the apps above it.

``users`` sits below ``notifications`` (which reads users, roles and ``users.scope`` to find
whom to tell), so it must not import the outbox. When it has an email to send about an
account, it sends ``account_email`` instead, and ``notifications`` connects the receiver that
stores the email and queues its delivery (``notifications.account_emails``).
"""

from django.dispatch import Signal

# An email to an account holder about their account: the password reset link. Sent with
# ``to`` (the address), ``subject``, ``text`` and ``html`` (already rendered, in the
# request's language; ``html`` may be empty), from inside the request; ``sender`` is the
# sending form's class. A receiver's exception reaches the sender, which logs it and answers
# as always (so the page never tells whether an address belongs to an account). With no
# receiver connected, nothing is sent.
account_email = Signal()
