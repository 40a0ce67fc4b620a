import datetime
import itertools

from invoices.tests.factories import CustomerFactory
from reports.models import Order, OrderServiceCost, Service

_references = itertools.count(10001)


def make_orders(customer=None, *, count: int, start=datetime.date(2023, 1, 1), costs=None):
    """``count`` orders on consecutive days from ``start``, each with ``costs``
    ({service name: amount in cents}), created in bulk."""
    customer = customer or CustomerFactory()
    costs = costs or {"Picking": 500, "Shipping": 1000}
    services = {name: Service.objects.get_or_create(name=name)[0] for name in costs}
    orders = Order.objects.bulk_create(
        Order(
            customer=customer,
            reference_number=f"REF-{next(_references)}",
            order_date=start + datetime.timedelta(days=index % 28),
        )
        for index in range(count)
    )
    OrderServiceCost.objects.bulk_create(
        OrderServiceCost(order=order, service=services[name], amount_minor=amount)
        for order in orders
        for name, amount in costs.items()
    )
    return customer, orders, services
