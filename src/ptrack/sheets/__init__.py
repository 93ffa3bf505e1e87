"""Spreadsheets and calendars out and in: ``tabular`` (the seed's tracking table as CSV/XLSX),
``importer`` (a tracking sheet to a campaign file), ``update`` (in-place edits that keep
comments), ``ics`` (iCalendar).

Builds on ``ptrack.core``; imports nothing from git, render, notify or the CLI."""
