"""Admin building blocks shared by the apps."""

from operator import attrgetter

from django.contrib import admin

from billing_site.money import format_for_people, format_min_places


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence or ledger entries: staff look, never add, edit or
    delete. Without a Save or Delete button on their pages. ``fields`` (model
    fields and display methods) chooses what the page shows; all model fields
    without it."""

    def get_readonly_fields(self, request, obj=None):
        return self.fields or [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyTabularInline(admin.TabularInline):
    """Related rows shown on a page, never added, changed or deleted from it (an
    inline that could be changed would bring the Save buttons back to a page that
    has nothing to save); give ``fields``."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def amount_column(field: str, currency: str = "currency", *, description="", ordering=None):
    """A list column or read-only field (a ModelAdmin or inline attribute) that
    shows the amount ``field`` of an object with its currency's places, grouped
    ("50,000.000" IQD, "1,200" JPY). ``field`` and ``currency`` are dotted paths
    from the object (``"invoice.total"``); ``ordering`` a lookup to sort by."""
    amount_of, currency_of = attrgetter(field), attrgetter(currency)

    @admin.display(description=description or field.rsplit(".")[-1].replace("_", " "))
    def column(modeladmin, obj):
        amount = amount_of(obj)
        return "-" if amount is None else format_for_people(amount, currency_of(obj))

    column.admin_order_field = ordering
    return column


def document_lines_inline(line_model, document: str, *, first: tuple[str, ...] = ()):
    """A read-only inline of a document's lines (an invoice's, a credit note's),
    each amount in the currency of the line's ``document``."""
    currency = f"{document}.currency"

    class LinesInline(ReadOnlyTabularInline):
        model = line_model
        fields = [
            *first,
            "description",
            "line_quantity",
            "unit_price_amount",
            "line_tax_rate",
            "subtotal_amount",
            "tax_amount",
            "total_amount",
        ]
        unit_price_amount = amount_column("unit_price", currency)
        subtotal_amount = amount_column("subtotal", currency)
        tax_amount = amount_column("tax", currency)
        total_amount = amount_column("total", currency)

        def get_queryset(self, request):
            return super().get_queryset(request).select_related(document)

        @admin.display(description="quantity")
        def line_quantity(self, line):
            return format_min_places(line.quantity, 0)

        @admin.display(description="tax rate (%)")
        def line_tax_rate(self, line):
            return format_min_places(line.tax_rate, 0)

    LinesInline.__name__ = LinesInline.__qualname__ = f"{line_model.__name__}Inline"
    return LinesInline


class CurrencyInUseFilter(admin.SimpleListFilter):
    """The currencies the rows are in (a handful), not all of ISO 4217's.
    ``field``: the lookup of the rows' currency."""

    title = "currency"
    parameter_name = "currency"
    field = "currency"

    def lookups(self, request, model_admin):
        rows = model_admin.get_queryset(request).order_by()
        codes = rows.values_list(self.field, flat=True).distinct()
        return [(code, code) for code in sorted(codes) if code]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset
