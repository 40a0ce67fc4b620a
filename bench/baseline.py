"""Baselines for the gateway's throughput, served by the same gunicorn with the
same settings:

- ``bare``: a Django view answering a fixed JSON object (the floor: WSGI,
  middleware, routing, JSON);
- ``plain_check``: what ``checkPaymentStatus`` essentially has to do, without
  DRF: verify the JWT, one indexed SELECT of the invoice (with its customer)
  by order id and billing number, one INSERT into the request log, and answer
  the same JSON record."""

import json
import time
import uuid
from decimal import Decimal

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken

from audit.middleware import RequestLogMiddleware
from audit.models import RequestLog
from invoices.models import Invoice
from payments.gateway.selectors import BILLING_RECORD_FIELDS
from payments.gateway.serializers import billing_record

PREFIX = "/bench/"
FIXED = {
    "billingNumber": "BENCH-0000001",
    "createdAt": "2026-01-01T00:00:00+00:00",
    "currency": "USD",
    "customerAccountName": "Bench Customer 00001",
    "customerID": 1,
    "description": "Bench service, monthly",
    "message": "successful",
    "orderID": 10000001,
    "paymentAmount": "10.37",
    "paymentStatus": "unpaid",
    "success": "true",
}


class RequestLogExceptBaselines(RequestLogMiddleware):
    def __call__(self, request):
        if request.path.startswith(PREFIX):
            return self.get_response(request)
        return super().__call__(request)


@csrf_exempt
@require_POST
def bare(request):
    return JsonResponse(FIXED)


@csrf_exempt
@require_POST
def plain_check(request):
    started = time.perf_counter()
    try:
        token = AccessToken(request.headers.get("Authorization", "").removeprefix("Bearer "))
    except TokenError:
        return JsonResponse({"success": "false", "message": "invalid token"}, status=401)
    body = json.loads(request.body)
    row = (
        Invoice.objects.filter(
            order_id=str(body["orderID"]),
            number=str(body["billingNumber"]),
            status__in=[Invoice.Status.OPEN, Invoice.Status.PAID],
        )
        .values(*BILLING_RECORD_FIELDS, "customer__name", "customer__account_number")
        .first()
    )
    if row is None:
        response = JsonResponse({"success": "false", "message": "not found"}, status=404)
    else:
        response = JsonResponse(billing_record(row, "successful"))
    RequestLog.objects.create(
        endpoint=request.path,
        method=request.method,
        status_code=response.status_code,
        request_body=request.body.decode(),
        response_body=response.content.decode(),
        user_id=token[api_settings.USER_ID_CLAIM],
        client_address=request.META.get("REMOTE_ADDR") or None,
        duration_ms=(Decimal(time.perf_counter() - started) * 1000).quantize(Decimal("0.001")),
        request_id=uuid.uuid4().hex,
    )
    return response
