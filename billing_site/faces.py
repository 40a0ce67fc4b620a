"""Which API face a request's path belongs to: one table that the unknown
routes' error shapes, the metrics and the log lines all read."""

# Path prefixes (without the leading slash), longest first, and their face.
# "api" is the shared plumbing (login tokens, the schema, the docs); any other
# path is the gateway's: its clients call routes at the root.
FACE_PREFIXES = (
    ("api/v1/get_", "isp"),
    ("api/v1/", "invoices"),
    ("api/v2/", "reports"),
    ("api/collections", "bills"),
    ("api/payments/", "bills"),
    ("api/", "api"),
    ("admin/", "admin"),
)
GATEWAY = "gateway"
FACES = (*dict.fromkeys(face for _, face in FACE_PREFIXES), GATEWAY)


def face_of(path: str) -> str:
    path = path.lstrip("/")
    for prefix, face in FACE_PREFIXES:
        if path.startswith(prefix):
            return face
    return GATEWAY
