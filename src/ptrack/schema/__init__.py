"""The campaign file's JSON Schema (campaign.schema.json) and its generated validators."""

import zlib


def schema_key(data: bytes) -> str:
    """What a generated validator (see ``ptrack.core.schema_codegen``) records of the schema file it
    came from: its size and CRC-32."""
    return f"{len(data)}:{zlib.crc32(data):08x}"
