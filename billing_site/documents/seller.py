"""Who a document is from: its header and its footer."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Seller:
    name: str
    address: str = ""  # lines split by newlines
    tax_id: str = ""
    logo: str = ""  # a PNG or JPEG file

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


def seller_from_settings() -> Seller:
    """The seller of the service's own documents (``BILLING_SELLER_*`` settings)."""
    return Seller(
        name=settings.BILLING_SELLER_NAME,
        address=settings.BILLING_SELLER_ADDRESS,
        tax_id=settings.BILLING_SELLER_TAX_ID,
        logo=settings.BILLING_SELLER_LOGO,
    )
