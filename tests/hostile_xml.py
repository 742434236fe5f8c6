"""XML that attacks its parser: entity expansion (billion laughs), external entities (local file,
network), a DOCTYPE hidden in another encoding. A bank file reader must refuse them all unread."""

from __future__ import annotations

NS = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"

BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE Document [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="{NS}"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&lol9;</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>
""".encode()

EXTERNAL_FILE = f"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document xmlns="{NS}"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&secret;</MsgId></GrpHdr>
</BkToCstmrDbtCdtNtfctn></Document>
""".encode()


def external_url(url: str) -> bytes:
    """An external entity (and an external DTD) fetched from ``url``: no request may reach it."""
    return f"""<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "{url}/dtd" [<!ENTITY remote SYSTEM "{url}/entity">]>
<Document xmlns="{NS}"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&remote;</MsgId></GrpHdr>
</BkToCstmrDbtCdtNtfctn></Document>
""".encode()


# The same declaration in UTF-16: a byte scan for "<!DOCTYPE" does not see it, the parser must.
UTF16_DOCTYPE = (
    f"""<?xml version="1.0" encoding="UTF-16"?>
<!DOCTYPE Document [<!ENTITY x "y">]>
<Document xmlns="{NS}"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrDbtCdtNtfctn></Document>
"""
).encode("utf-16")
