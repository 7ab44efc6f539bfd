"""Desktop-wide shortcuts of a recording: their defaults and their X11 form.

The Settings keep a shortcut as Qt's portable text (``"Ctrl+Shift+P"``); the recording
bar grabs it on the X11 desktop (:class:`studio.ui.recording_bar.GlobalHotkey`) as the
modifier bits and keysym :func:`x11_key` gives.
"""

from __future__ import annotations

__all__ = ["PAUSE_SHORTCUT", "STOP_SHORTCUT", "ALL_MODIFIERS", "x11_key"]

#: Pause and resume the recording, from anywhere on the desktop.
PAUSE_SHORTCUT = "Ctrl+Shift+P"
#: Stop the recording (and keep it), from anywhere on the desktop.
STOP_SHORTCUT = "Ctrl+Shift+S"

_CONTROL, _SHIFT, _ALT, _SUPER = 4, 1, 8, 64
_MODIFIERS = {"ctrl": _CONTROL, "shift": _SHIFT, "alt": _ALT, "meta": _SUPER}
#: The modifier bits a shortcut may use (Caps Lock and Num Lock do not count).
ALL_MODIFIERS = _CONTROL | _SHIFT | _ALT | _SUPER
#: X11 keysyms of the named keys a shortcut may use (letters and digits are their ASCII).
_KEYSYMS = {
    "space": 0x20,
    "pause": 0xFF13,
    "home": 0xFF50,
    "end": 0xFF57,
    "pgup": 0xFF55,
    "pgdown": 0xFF56,
    "ins": 0xFF63,
    "del": 0xFFFF,
    **{f"f{n}": 0xFFBE + n - 1 for n in range(1, 25)},
}


def x11_key(shortcut: str) -> tuple[int, int] | None:
    """``"Ctrl+Shift+P"`` (Qt's portable text) as X11 modifier bits and keysym.

    ``None`` when the text names no key a desktop-wide grab can take (several keys,
    an unknown name, no key at all, a letter or digit without a modifier, which
    would take that key from every program, or Ctrl+Alt with F1 to F12, which the X
    server keeps for switching to a text console).
    """
    *modifiers, key = [part.strip().lower() for part in shortcut.split("+")] or [""]
    mask = 0
    for name in modifiers:
        if name not in _MODIFIERS:
            return None
        mask |= _MODIFIERS[name]
    if len(key) == 1 and key.isascii() and key.isalnum():
        return (mask, ord(key)) if mask else None
    keysym = _KEYSYMS.get(key)
    if keysym is None or (mask & _CONTROL and mask & _ALT and 0xFFBE <= keysym <= 0xFFC9):
        return None  # Ctrl+Alt+F1..F12 switch to a text console: X never hands them on
    return mask, keysym
