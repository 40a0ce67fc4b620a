"""The streamed writer of ``/getAllBilling``: ``BillingRecordSerializer``'s
records written as JSON text straight from the raw rows of
``selectors.billing_record_batches``.

Written directly, a record costs a few string operations rather than a dict,
its conversions and a pass of the encoder; a customer's name and account are
encoded once. It is a renderer of the declared shape, not a second one: the
tests hold every field of its records (key, order, JSON type and value) to what
``BillingRecordSerializer`` gives for the same invoice."""

from decimal import Decimal
from json.encoder import encode_basestring_ascii as encode_string

from billing_site.money import format_min_places

from .serializers import is_plain_number


def min_places_text(amount: str) -> str:
    """``format_min_places`` of an amount the database wrote ("10.3700", "10")."""
    whole, _, fraction = amount.partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"


def reference_json(value: str) -> str:
    """``SentReferenceField``'s value of ``value``, as JSON text."""
    return value if is_plain_number(value) else encode_string(value)


def billing_records_json(batches, message: str):
    """The JSON array of the records of ``batches`` (``billing_record_batches``),
    in pieces of a batch each."""
    tail = f',"message":{encode_string(message)},"orderID":'
    encoded: dict[int, tuple[str, str]] = {}
    yield "["
    separator = ""
    for rows, customers in batches:
        if len(encoded) > len(customers):  # the reader let its customers go
            encoded.clear()
        for pk in {row[-1] for row in rows} - encoded.keys():
            name, account = customers[pk]
            encoded[pk] = encode_string(name), reference_json(account)
        pieces = []
        for (
            _,
            order_id,
            number,
            total,
            paid,
            credited,
            currency,
            description,
            status,
            created,
            customer,
        ) in rows:
            name, account = encoded[customer]
            # All paid, or nothing paid or credited yet: the total.
            if status == "paid" or not (paid.strip("0.") or credited.strip("0.")):
                amount = min_places_text(total)
            else:
                amount = format_min_places(Decimal(total) - Decimal(paid) - Decimal(credited))
            pieces.append(
                f'{{"billingNumber":{reference_json(number)},'
                f'"createdAt":"{created[:10]}T{created[11:19]}+00:00",'
                f'"currency":{encode_string(currency)},"customerAccountName":{name},'
                f'"customerID":{account},"description":{encode_string(description)}'
                f'{tail}{reference_json(order_id)},"paymentAmount":"{amount}",'
                f'"paymentStatus":"{"paid" if status == "paid" else "unpaid"}","success":"true"}}'
            )
        if pieces:
            yield separator + ",".join(pieces)
            separator = ","
    yield "]"
