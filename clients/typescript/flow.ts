/**
 * The API's main flow (as clients/python_flow.py runs it) written against the
 * TypeScript types openapi-typescript makes of the schema. scripts/clients.sh
 * type-checks it with `tsc --noEmit --strict`: a schema change that would break
 * a TypeScript client's flow (a renamed field, a body no longer JSON, a lost
 * item type) fails there.
 */
import type { paths } from "../../var/clients/typescript/schema";

type Method = "get" | "post" | "patch";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonBody<O> = O extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : undefined;
type JsonAnswer<O, S extends number> = O extends {
    responses: { [K in S]: { content: { "application/json": infer R } } };
}
    ? R
    : never;
type PathParams<O> = O extends { parameters: { path: infer Params } } ? Params : undefined;
type Query<O> = O extends { parameters: { query?: infer Q } } ? Q : undefined;

interface Call<O> {
    path?: PathParams<O>;
    query?: Query<O>;
    body?: JsonBody<O>;
}

/** The path with its `{name}` parameters filled in, and the query string. */
function url(base: string, template: string, call: Call<unknown>): string {
    const params = (call.path ?? {}) as Record<string, string | number>;
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeURIComponent(String(params[name])),
    );
    const query = new URLSearchParams(
        Object.entries((call.query ?? {}) as Record<string, string | number>).map(
            ([key, value]) => [key, String(value)],
        ),
    ).toString();
    return `${base}${path}${query ? `?${query}` : ""}`;
}

class Api {
    constructor(
        private readonly base: string,
        private token = "",
    ) {}

    /** The raw answer of `method path`, failing unless its status is `status`. */
    async send<P extends keyof paths, M extends Method>(
        method: M,
        path: P,
        status: number,
        call: Call<Operation<P, M>> = {},
    ): Promise<Response> {
        const headers: Record<string, string> = { Accept: "application/json" };
        if (this.token) headers.Authorization = `Bearer ${this.token}`;
        if (call.body !== undefined) headers["Content-Type"] = "application/json";
        const response = await fetch(url(this.base, path, call), {
            method: method.toUpperCase(),
            headers,
            body: call.body === undefined ? undefined : JSON.stringify(call.body),
        });
        if (response.status !== status) {
            throw new Error(`${method} ${path}: ${response.status}: ${await response.text()}`);
        }
        return response;
    }

    /** The JSON answer of `method path` with `status`, typed by the schema. */
    async json<P extends keyof paths, M extends Method, S extends number>(
        method: M,
        path: P,
        status: S,
        call: Call<Operation<P, M>> = {},
    ): Promise<JsonAnswer<Operation<P, M>, S>> {
        const response = await this.send(method, path, status, call);
        return (await response.json()) as JsonAnswer<Operation<P, M>, S>;
    }

    useToken(token: string): void {
        this.token = token;
    }
}

function check(condition: boolean, message: string): void {
    if (!condition) throw new Error(message);
}

export async function clientFlow(base: string, username: string, password: string) {
    const api = new Api(base);
    const run = Date.now().toString(36);
    const today = new Date().toISOString().slice(0, 10);

    const tokens = await api.json("post", "/login", 200, { body: { username, password } });
    check(tokens.token_type === "Bearer", "login: not a Bearer token");
    api.useToken(tokens.access_token);

    const unpaid = await api.json("get", "/getAllBilling", 200, { query: { status: "unpaid" } });
    const record = unpaid[unpaid.length - 1];
    check(record !== undefined, "getAllBilling: no unpaid record");
    const reference = { orderID: record.orderID, billingNumber: record.billingNumber };
    const found = await api.json("post", "/checkPaymentStatus", 200, { body: reference });
    check(found.paymentStatus === "unpaid", "checkPaymentStatus: not unpaid");
    const paid = await api.json("post", "/updatePaymentStatus", 200, { body: reference });
    check(paid.paymentStatus === "paid", "updatePaymentStatus: not paid");
    const again = await api.json("post", "/updatePaymentStatus", 400, { body: reference });
    check(again.message === "payment is already paid", "updatePaymentStatus: paid twice");
    const rows = await api.json("get", "/getAllBilling", 200, { query: { status: "paid" } });
    check(
        rows.some((row) => row.orderID === record.orderID),
        "getAllBilling: the paid record is not listed",
    );

    const customer = await api.json("post", "/api/v1/customers/", 201, {
        body: { name: `Client flow ${run}`, account_number: `FLOW-${run}`, email_documents: false },
    });
    const draft = await api.json("post", "/api/v1/invoices/", 201, {
        body: {
            customer_id: customer.id,
            date: today,
            due_date: today,
            status: "draft",
            line_items: [{ description: "Widget", quantity: "2", price: "50.00", tax_rate: "10" }],
        },
    });
    const issued = await api.json("post", "/api/v1/invoices/{id}/issue/", 200, {
        path: { id: draft.id },
    });
    check(issued.status === "open", "issueInvoice: not open");
    const invoices = await api.json("get", "/api/v1/invoices/", 200, {
        query: { customer_id: customer.id },
    });
    check(invoices.length === 1 && invoices[0]?.id === issued.id, "listInvoices: not the one");

    const services = await api.json("get", "/api/v2/services/", 200);
    const [first, second] = services;
    check(first !== undefined && second !== undefined, "listServices: fewer than two");
    const order = await api.json("post", "/api/v2/orders/", 201, {
        body: {
            customer_id: customer.id,
            reference_number: `FLOW-${run}-1`,
            order_date: today,
            service_costs: [
                { service_id: first.id, amount: "12.50" },
                { service_id: second.id, amount: "7.25" },
            ],
        },
    });
    const report = await api.json("post", "/api/v2/reports/generate/", 201, {
        body: { customer_id: customer.id, start_date: today, end_date: today },
    });
    check(report.total_amount === order.total_amount, "generateReport: another total");
    const read = await api.json("get", "/api/v2/reports/{id}/", 200, {
        path: { id: String(report.id) },
    });
    check(read.orders.length === 1, "getReport: not one order");
    for (const format of ["csv", "pdf"] as const) {
        const download = await api.send("get", "/api/v2/reports/{id}/download/", 200, {
            path: { id: String(report.id) },
            query: { format },
        });
        check((await download.arrayBuffer()).byteLength > 0, `downloadReport: empty ${format}`);
    }
    return { customer: customer.id, invoice: issued.number, report: report.id };
}
