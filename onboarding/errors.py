"""The domain's errors. Interfaces map them: 404, 400, 409, 410, 503 in the API; a message on a page."""


class DomainError(Exception):
    pass


class NotFound(DomainError):
    """The object does not exist for this organization (another tenant's ids look the same)."""


class ValidationFailed(DomainError):
    def __init__(self, errors):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class InvalidTransition(DomainError):
    """A state change refused in the object's current status."""

    def __init__(self, kind, status, action):
        self.kind, self.status, self.action = kind, status, action
        super().__init__(f"Cannot {action.replace('_', ' ')}: the {kind} is {status}.")

    @classmethod
    def for_object(cls, obj, action):
        return cls(type(obj).__name__.lower(), obj.status, action)


class SessionErased(DomainError):
    """The session's personal data was erased: it takes no new applicant, link or extension."""

    def __init__(self):
        super().__init__("The session's personal data was erased; it can no longer be used.")


class LinkUnavailable(DomainError):
    """An applicant link that is unknown, revoked or expired."""


class InvitationUnavailable(DomainError):
    """An invitation that is unknown, used, revoked or expired."""


class StorageUnavailable(DomainError):
    """The file store refused a file or could not be reached: nothing was saved, the same upload can be sent again."""

    def __init__(self):
        super().__init__("The file could not be stored just now; nothing was saved. Send it again in a few minutes.")
