"""Status codes as exceptions.

The codes and their names come from the loaded library (haywire_status_name),
never from a list typed here: each HAYWIRE_E_FOO becomes a subclass FooError
of HaywireError, also reachable as haywire.FooError and by code with
error_class(code).
"""
from typing import Dict, Type

# Status codes are small negative numbers; stop looking well past the last one.
_STATUS_SCAN = 256


class HaywireError(Exception):
    """A libhaywire call failed: .status is the code, .name its symbol
    (e.g. "HAYWIRE_E_NOT_FOUND"), .message the library's haywire_last_error()."""

    status: int = 0
    name: str = ""

    def __init__(self, message: str, status: int = 0, name: str = "", call: str = ""):
        super().__init__(f"{message} [{name or status}]" if (name or status) else message)
        self.message = message
        self.status = status or type(self).status
        self.name = name or type(self).name
        self.call = call


STATUS: Dict[str, int] = {}  # "HAYWIRE_E_NOT_RAM" -> -4, filled from the library
_classes: Dict[int, Type[HaywireError]] = {}


def _class_name(status_name: str) -> str:
    words = status_name.replace("HAYWIRE_E_", "").split("_")
    return "".join(w.capitalize() for w in words) + "Error"


def build(lib, namespace: dict) -> None:
    """Make the exception classes from the library's own status table."""
    for code in range(0, -_STATUS_SCAN, -1):
        raw = lib.haywire_status_name(code)
        if raw is None:
            continue
        name = raw.decode()
        STATUS[name] = code
        if code == 0:
            continue
        doc = lib.haywire_strerror(code).decode()
        cls = type(_class_name(name), (HaywireError,),
                   {"status": code, "name": name, "__doc__": f"{name}: {doc}",
                    "__module__": "haywire"})
        _classes[code] = cls
        namespace[cls.__name__] = cls


def error_class(status: int) -> Type[HaywireError]:
    """The exception class of STATUS (HaywireError itself for a code this
    version of the bindings has never heard of)."""
    return _classes.get(status, HaywireError)
