"""What git knows about a campaign: ``gitio`` (one ``git log`` and one ``git cat-file --batch``),
``history`` (every version of a file, day points, last changes), ``baseline`` (dates against an
earlier version, slips), ``tracking`` (what ``check`` and the site take from the history: stale
tasks, trend, last updates), ``diff`` (a change in a reviewer's words) and ``retro``.

Builds on ``ptrack.core``; imports nothing from sheets, render, notify or the CLI."""
