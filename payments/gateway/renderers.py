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


# How many distinct descriptions and currencies a stream keeps encoded.
KNOWN_TEXTS_BOUND = 10_000


def billing_records_json(batches, message: str):
    """The JSON array of the records of ``batches`` (``billing_record_batches``),
    in pieces of a batch each. A record is one f-string: the
    references' number test is written out rather than called, and a
    customer's fields, a description and a currency are encoded once."""
    middle = f',"message":{encode_string(message)},"orderID":'
    encoded: dict[int, str] = {}  # by customer id: its fields up to the description's value
    texts: dict[str, str] = {}  # descriptions and currencies, as JSON
    yield "["
    separator = ""
    for rows, customers in batches:
        if len(encoded) > len(customers):  # the reader let its customers go
            encoded.clear()
        for pk in {row[-1] for row in rows} - encoded.keys():
            name, account = customers[pk]
            encoded[pk] = (
                f'"customerAccountName":{encode_string(name)},'
                f'"customerID":{reference_json(account)},"description":'
            )
        if len(texts) > KNOWN_TEXTS_BOUND:
            texts.clear()
        pieces = []
        append = pieces.append
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
            try:
                description_json = texts[description]
            except KeyError:
                description_json = texts[description] = encode_string(description)
            try:
                currency_json = texts[currency]
            except KeyError:
                currency_json = texts[currency] = encode_string(currency)
            # All paid, or nothing paid or credited yet (None): the total.
            if status == "paid" or (paid is None and credited is None):
                amount = min_places_text(total)
            else:
                left = Decimal(total) - Decimal(paid or 0) - Decimal(credited or 0)
                amount = format_min_places(left)
            # ``reference_json`` written out: its two calls a record cost a
            # million records about 0.24 s (one call of min_places_text: 0.02 s).
            if not (number.isdigit() and number.isascii() and number[0] != "0"):
                number = encode_string(number)
            if not (order_id.isdigit() and order_id.isascii() and order_id[0] != "0"):
                order_id = encode_string(order_id)
            append(
                f'{{"billingNumber":{number},'
                f'"createdAt":"{created[:10]}T{created[11:19]}+00:00",'
                f'"currency":{currency_json},{encoded[customer]}{description_json}{middle}{order_id},'
                f'"paymentAmount":"{amount}",'
                f'"paymentStatus":"{"paid" if status == "paid" else "unpaid"}","success":"true"}}'
            )
        if pieces:
            chunk = separator + ",".join(pieces)
            # Only the text is kept while it is sent, and no batch is kept while
            # the next one is read.
            pieces = rows = customers = None
            yield chunk
            separator = ","
        rows = customers = None
    yield "]"
