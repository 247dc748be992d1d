import type Stripe from 'stripe';

/*
 * Which PaymentIntent paid a Stripe invoice. A refund of a monthly charge arrives as `charge.refunded`,
 * which names the PaymentIntent and nothing of ours (Stripe does not carry a subscription's metadata to its
 * charges). When the invoice's settlement records that PaymentIntent as its event's payment reference, the
 * refund finds its gift the way a one-time gift's refund does (webhook.service.ts `applyProviderEvent`).
 *
 * Where the PaymentIntent is depends on the API version the webhook endpoint renders events in:
 * - before 2025-03-31 (basil): `invoice.payment_intent`;
 * - since: the invoice's `payments` list (an InvoicePayment's `payment.payment_intent`), which is an
 *   includable field, so event payloads usually leave it out. Then the provider asks Stripe's
 *   InvoicePayments API once, before the event is applied (`paymentIntentOfInvoice`).
 */

type InvoicePayload = Pick<Stripe.Invoice, 'payments'> & { payment_intent?: unknown };

const idOf = (value: unknown): string | null =>
  typeof value === 'string'
    ? value
    : value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string'
      ? (value as { id: string }).id
      : null;

/** The PaymentIntent an invoice payload names, if it names one (either API shape). */
export function paymentIntentInPayload(invoice: InvoicePayload): string | null {
  const direct = idOf(invoice.payment_intent);
  if (direct) return direct;
  return paidPaymentIntent(invoice.payments?.data ?? []);
}

/** The paid payment's PaymentIntent (an invoice may list a failed attempt before the one that paid). */
function paidPaymentIntent(payments: readonly Stripe.InvoicePayment[]): string | null {
  const withIntent = payments.filter((p) => idOf(p.payment?.payment_intent));
  const paid = withIntent.find((p) => p.status === 'paid') ?? withIntent.find((p) => p.is_default);
  return idOf((paid ?? withIntent[0])?.payment.payment_intent);
}

/**
 * Asks Stripe which PaymentIntent paid an invoice (its paid InvoicePayments). Null when none did through a
 * PaymentIntent (an invoice paid from the customer's credit balance, or out of band): there is then no
 * charge to refund either. A network or API error propagates: the webhook answers 500 and Stripe sends the
 * event again, rather than the settlement being recorded without the reference its refund will need.
 */
export async function paymentIntentOfInvoice(stripe: Stripe, invoiceId: string): Promise<string | null> {
  const list = await stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 });
  return paidPaymentIntent(list.data);
}
