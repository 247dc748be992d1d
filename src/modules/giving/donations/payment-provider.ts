import crypto from 'node:crypto';
import Stripe from 'stripe';
import { AppError } from '../../../platform/errors';
import type { AppContext } from '../../../platform/http/context';
import type { ProviderName } from '../giving.schema';
import { paymentIntentInPayload, paymentIntentOfInvoice } from './stripe-invoice-payment';

/**
 * What Giving needs of a payment processor: a hosted checkout for one gift (card data never reaches us),
 * and verification of the events it sends back. A gift counts only when a verified event settles it.
 */
export interface ProviderEvent {
  /** The processor's event id: each is applied once. */
  id: string;
  /** `ended`: the processor ended a monthly gift's subscription (recurring/recurring.hook.ts). */
  kind: 'settled' | 'failed' | 'refunded' | 'ignored' | 'ended';
  giftId: string | null;
  /** The processor's payment id, when the event names one (a refund may name only this). */
  paymentRef?: string | null;
  /** settled: the amount charged; refunded: the total refunded so far (cumulative, so order does not matter). */
  amountMinor: number | null;
  /** A monthly gift's subscription at the processor (Stripe), when the event names one. */
  subscriptionRef?: string | null;
  /** Our monthly gift's id, when the processor carried it back (Stripe's subscription metadata). */
  recurringGiftId?: string | null;
  /**
   * A monthly charge the processor made by itself (a Stripe invoice after the first): it has no gift of
   * ours yet, so Giving finds or makes one per invoice (`ref`) before applying the event.
   */
  charge?: RecurringChargeRef | null;
  /** `ended`: whether the processor gave up on failed payments (the gift lapses) or it was cancelled. */
  endReason?: 'payment_failed' | 'cancelled' | null;
  /**
   * The payload left out the payment a settlement should record (`paymentRef`): where the provider can
   * look it up before the event is applied (`PaymentProvider.completeEvent`). Stripe: the paid invoice.
   */
  paymentLookup?: { invoiceRef: string } | null;
}

export interface RecurringChargeRef {
  /** The processor's id of this charge (Stripe's invoice id): one gift per charge. */
  ref: string;
  /** When the processor will try a failed charge again, if it says. */
  nextAttemptAt?: Date | null;
}

export interface CheckoutRequest {
  giftId: string;
  /** What is charged: the gift plus any covered fee. */
  amountMinor: number;
  currency: string;
  description: string;
  donorEmail: string;
  successUrl: string;
  cancelUrl: string;
  testCard?: string | undefined;
  /** The first charge of a monthly gift: the processor keeps the payment method (sandbox) or subscribes (Stripe). */
  monthly?: { recurringGiftId: string } | undefined;
}

export type CheckoutResult =
  | { kind: 'redirect'; url: string; providerRef: string }
  /**
   * The sandbox answers at once with the signed event its "processor" sends to our webhook, and for a
   * monthly gift the reference of the payment method it keeps (`sandbox_pm_<last4>_<random>`).
   */
  | {
      kind: 'event';
      providerRef: string;
      webhook: { body: string; headers: Record<string, string> };
      paymentMethodRef?: string;
    };

export interface PaymentProvider {
  name: ProviderName;
  createCheckout(request: CheckoutRequest): Promise<CheckoutResult>;
  /** Verifies the signature and reads the event; throws `SignatureError` when it does not verify. */
  verify(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderEvent;
  /**
   * Fills in what a verified event's payload left out (`paymentLookup`) by asking the processor, before
   * the event is applied and outside any transaction. Absent: events are complete as verified.
   */
  completeEvent?(event: ProviderEvent): Promise<ProviderEvent>;
  /**
   * Present when the processor schedules monthly charges itself (Stripe subscriptions): pausing, resuming,
   * cancelling and changing a monthly gift go through it. Absent for the sandbox, whose charges Passage's
   * own job makes (recurring.service.ts).
   */
  subscriptions?: SubscriptionControl;
}

export interface SubscriptionControl {
  pause(subscriptionRef: string): Promise<void>;
  resume(subscriptionRef: string): Promise<void>;
  cancel(subscriptionRef: string): Promise<void>;
  /** The amount of the next charges (in minor units, the subscription's currency), without proration. */
  changeAmount(subscriptionRef: string, amountMinor: number): Promise<void>;
}

export class SignatureError extends Error {
  override name = 'SignatureError';
}

// ── sandbox ─────────────────────────────────────────────────────────────────────────────────────────

export const SANDBOX_CARDS = {
  succeeds: '4242424242424242',
  declines: '4000000000000002',
  /** Monthly gifts: the first charge succeeds, every later one is declined (to see retries and dunning). */
  declinesLater: '4000000000000341',
} as const;
export const SANDBOX_SIGNATURE_HEADER = 'passage-sandbox-signature';
const TOLERANCE_SECONDS = 300;

/**
 * A processor of our own for the embedded default and the tests: test cards only, events signed with an
 * HMAC-SHA256 (`t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`, Stripe's scheme), the secret
 * made fresh per process. Refused in production.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox' as const;
  readonly #secret: Buffer;

  constructor(secret: Buffer = crypto.randomBytes(32)) {
    this.#secret = secret;
  }

  sign(body: string, timestamp = Math.floor(Date.now() / 1000)): string {
    const mac = crypto.createHmac('sha256', this.#secret).update(`${timestamp}.${body}`).digest('hex');
    return `t=${timestamp},v1=${mac}`;
  }

  /** A signed event as the sandbox processor would send it (tests use this for refunds and replays). */
  event(
    type: 'payment.succeeded' | 'payment.failed' | 'payment.refunded',
    giftId: string,
    amountMinor: number,
    id = `sbx_evt_${crypto.randomUUID()}`,
  ) {
    const body = JSON.stringify({ id, type, giftId, amountMinor });
    return {
      body,
      headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: this.sign(body) },
    };
  }

  async createCheckout(request: CheckoutRequest): Promise<CheckoutResult> {
    const card = (request.testCard ?? '').replace(/\s+/g, '');
    const type =
      card === SANDBOX_CARDS.succeeds || card === SANDBOX_CARDS.declinesLater
        ? 'payment.succeeded'
        : card === SANDBOX_CARDS.declines
          ? 'payment.failed'
          : null;
    if (!type)
      throw AppError.invalid(
        'testCard: must be a sandbox test card (4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 declines)',
      );
    const providerRef = `sbx_pay_${crypto.randomUUID()}`;
    const webhook = this.event(type, request.giftId, request.amountMinor);
    if (!request.monthly) return { kind: 'event', providerRef, webhook };
    // A monthly gift keeps a reference to the "saved card": its last four digits decide later charges.
    const paymentMethodRef = `sandbox_pm_${card.slice(-4)}_${crypto.randomBytes(6).toString('hex')}`;
    return { kind: 'event', providerRef, webhook, paymentMethodRef };
  }

  /**
   * A later monthly charge on a saved payment method: the signed event the sandbox processor sends.
   * Only a method saved from 4242… succeeds; a declining card declines every later charge too, and
   * 4000 0000 0000 0341 declines every charge after the first.
   */
  chargeSavedMethod(paymentMethodRef: string, giftId: string, amountMinor: number) {
    const last4 = /^sandbox_pm_(\d{4})_[0-9a-f]+$/.exec(paymentMethodRef)?.[1];
    if (!last4) throw new Error('not a sandbox payment method');
    const type = last4 === SANDBOX_CARDS.succeeds.slice(-4) ? 'payment.succeeded' : 'payment.failed';
    return this.event(type, giftId, amountMinor);
  }

  verify(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderEvent {
    const header = headers[SANDBOX_SIGNATURE_HEADER];
    const match = typeof header === 'string' ? /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) : null;
    if (!match) throw new SignatureError('missing or malformed signature');
    const timestamp = Number(match[1]);
    if (Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS)
      throw new SignatureError('signature too old');
    const expected = Buffer.from(this.sign(rawBody, timestamp).slice(-64), 'hex');
    if (!crypto.timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex')))
      throw new SignatureError('signature does not match');
    const event = JSON.parse(rawBody) as {
      id?: unknown;
      type?: unknown;
      giftId?: unknown;
      amountMinor?: unknown;
    };
    if (
      typeof event.id !== 'string' ||
      typeof event.giftId !== 'string' ||
      typeof event.amountMinor !== 'number'
    )
      throw new SignatureError('not a sandbox event');
    const kind =
      event.type === 'payment.succeeded'
        ? 'settled'
        : event.type === 'payment.failed'
          ? 'failed'
          : event.type === 'payment.refunded'
            ? 'refunded'
            : 'ignored';
    return { id: event.id, kind, giftId: event.giftId, amountMinor: event.amountMinor };
  }
}

// ── Stripe ──────────────────────────────────────────────────────────────────────────────────────────

/**
 * Stripe's hosted Checkout: we create a session for one gift and send the donor to Stripe's page; the card
 * is typed there. `checkout.session.completed` (paid) or `checkout.session.async_payment_succeeded` settles,
 * `…async_payment_failed` / `…expired` fails, `charge.refunded` refunds (cumulative `amount_refunded`).
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;

  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
  ) {}

  async createCheckout(request: CheckoutRequest): Promise<CheckoutResult> {
    if (request.monthly) return this.createSubscriptionCheckout(request, request.monthly.recurringGiftId);
    const session = await this.stripe.checkout.sessions.create({
      mode: 'payment',
      customer_email: request.donorEmail,
      client_reference_id: request.giftId,
      metadata: { gift_id: request.giftId },
      payment_intent_data: { metadata: { gift_id: request.giftId } },
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: request.currency.toLowerCase(),
            // Stripe's smallest unit is ours: cents for USD, won for KRW (zero-decimal).
            unit_amount: request.amountMinor,
            product_data: { name: request.description },
          },
        },
      ],
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
    });
    if (!session.url) throw AppError.upstream('The payment page could not be opened.');
    return { kind: 'redirect', url: session.url, providerRef: session.id };
  }

  /**
   * A monthly gift: Checkout in subscription mode. Stripe schedules every month's charge and retries failed
   * ones itself; each month's invoice comes back as `invoice.paid` / `invoice.payment_failed`. Our ids ride
   * in the subscription's metadata, so every invoice names the monthly gift (and the first, its first gift).
   */
  private async createSubscriptionCheckout(request: CheckoutRequest, recurringGiftId: string) {
    const metadata = { gift_id: request.giftId, recurring_gift_id: recurringGiftId };
    const session = await this.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: request.donorEmail,
      client_reference_id: request.giftId,
      metadata,
      subscription_data: { metadata },
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: request.currency.toLowerCase(),
            unit_amount: request.amountMinor,
            recurring: { interval: 'month' },
            product_data: { name: `${request.description}, monthly` },
          },
        },
      ],
      success_url: request.successUrl,
      cancel_url: request.cancelUrl,
    });
    if (!session.url) throw AppError.upstream('The payment page could not be opened.');
    return { kind: 'redirect' as const, url: session.url, providerRef: session.id };
  }

  readonly subscriptions: SubscriptionControl = {
    // `void`: no invoices while paused (nothing owed for the paused months).
    pause: async (ref) => {
      await this.stripe.subscriptions.update(ref, { pause_collection: { behavior: 'void' } });
    },
    resume: async (ref) => {
      await this.stripe.subscriptions.update(ref, { pause_collection: '' });
    },
    cancel: async (ref) => {
      await this.stripe.subscriptions.cancel(ref);
    },
    changeAmount: async (ref, amountMinor) => {
      const subscription = await this.stripe.subscriptions.retrieve(ref);
      const item = subscription.items.data[0];
      const product = idOf(item?.price.product as string | { id: string } | null);
      if (!item || !product) throw AppError.conflict('This subscription has no price to change.');
      await this.stripe.subscriptions.update(ref, {
        items: [
          {
            id: item.id,
            price_data: {
              currency: item.price.currency,
              product,
              unit_amount: amountMinor,
              recurring: { interval: 'month' },
            },
          },
        ],
        // The new amount starts with the next month: nothing charged or credited for the current one.
        proration_behavior: 'none',
      });
    },
  };

  verify(rawBody: string, headers: Record<string, string | string[] | undefined>): ProviderEvent {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string') throw new SignatureError('missing signature');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret);
    } catch (error) {
      throw new SignatureError((error as Error).message);
    }
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = event.data.object;
        const giftId = session.metadata?.gift_id ?? session.client_reference_id ?? null;
        const paymentRef = idOf(session.payment_intent);
        if (session.payment_status !== 'paid')
          return { id: event.id, kind: 'ignored', giftId, paymentRef, amountMinor: null };
        return {
          id: event.id,
          kind: 'settled',
          giftId,
          paymentRef,
          amountMinor: session.amount_total ?? null,
          // A monthly gift's first charge: its subscription is kept with the monthly gift.
          subscriptionRef: idOf(session.subscription),
          recurringGiftId: session.metadata?.recurring_gift_id ?? null,
        };
      }
      case 'checkout.session.async_payment_failed':
      case 'checkout.session.expired': {
        const session = event.data.object;
        const giftId = session.metadata?.gift_id ?? session.client_reference_id ?? null;
        return { id: event.id, kind: 'failed', giftId, amountMinor: null };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        // The gift id is on the charge when Stripe carried the PaymentIntent's metadata over; otherwise the
        // PaymentIntent id (recorded with the settlement) finds the gift.
        return {
          id: event.id,
          kind: 'refunded',
          giftId: charge.metadata?.gift_id ?? null,
          paymentRef: idOf(charge.payment_intent),
          amountMinor: charge.amount_refunded,
        };
      }
      case 'invoice.paid':
      case 'invoice.payment_failed': {
        const invoice = event.data.object;
        const subscription = invoice.parent?.subscription_details ?? null;
        if (!subscription) return { id: event.id, kind: 'ignored', giftId: null, amountMinor: null };
        const meta = subscription.metadata ?? {};
        // The first invoice is the Checkout's own payment: it settles the gift the donor started (its
        // `checkout.session.completed` may come before or after). Later invoices are new monthly charges.
        const first = invoice.billing_reason === 'subscription_create' ? (meta.gift_id ?? null) : null;
        const settled = event.type === 'invoice.paid';
        // The PaymentIntent that paid it: a later `charge.refunded` names only that (stripe-invoice-payment.ts).
        const paymentRef = paymentIntentInPayload(invoice);
        return {
          id: event.id,
          kind: settled ? 'settled' : 'failed',
          giftId: first,
          paymentRef,
          paymentLookup: settled && !paymentRef && invoice.id ? { invoiceRef: invoice.id } : null,
          amountMinor: settled ? invoice.amount_paid : null,
          subscriptionRef: idOf(subscription.subscription),
          recurringGiftId: meta.recurring_gift_id ?? null,
          charge: first
            ? null
            : {
                ref: invoice.id,
                nextAttemptAt: invoice.next_payment_attempt
                  ? new Date(invoice.next_payment_attempt * 1000)
                  : null,
              },
        };
      }
      case 'customer.subscription.deleted': {
        const subscription = event.data.object;
        return {
          id: event.id,
          kind: 'ended',
          giftId: null,
          amountMinor: null,
          subscriptionRef: subscription.id,
          recurringGiftId: subscription.metadata?.recurring_gift_id ?? null,
          endReason:
            subscription.cancellation_details?.reason === 'payment_failed' ? 'payment_failed' : 'cancelled',
        };
      }
      default:
        return { id: event.id, kind: 'ignored', giftId: null, amountMinor: null };
    }
  }

  /** A paid invoice whose payload did not list its payments: Stripe's InvoicePayments API says which paid it. */
  async completeEvent(event: ProviderEvent): Promise<ProviderEvent> {
    if (!event.paymentLookup || event.paymentRef) return event;
    const paymentRef = await paymentIntentOfInvoice(this.stripe, event.paymentLookup.invoiceRef);
    return { ...event, paymentRef, paymentLookup: null };
  }
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  return typeof value === 'string' ? value : (value?.id ?? null);
}

// ── which providers this process offers ─────────────────────────────────────────────────────────────

export type Providers = Partial<Record<ProviderName, PaymentProvider>>;
const configured = new WeakMap<AppContext, Providers>();

/**
 * The sandbox outside production; Stripe when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set. The
 * sandbox is never offered with NODE_ENV=production, whatever else is configured.
 */
export function providersFor(ctx: AppContext): Providers {
  let providers = configured.get(ctx);
  if (!providers) {
    providers = {};
    if (ctx.config.NODE_ENV !== 'production') providers.sandbox = new SandboxProvider();
    const key = process.env.STRIPE_SECRET_KEY;
    const secret = process.env.STRIPE_WEBHOOK_SECRET;
    if (key && secret) providers.stripe = new StripeProvider(new Stripe(key, stripeApiEndpoint()), secret);
    configured.set(ctx, providers);
  }
  return providers;
}

/**
 * STRIPE_API_BASE points the Stripe client at another API server (stripe-mock, or the benchmark's stand-in
 * for Stripe's network, which cannot be reached from a test machine). Unset: Stripe's own API.
 */
function stripeApiEndpoint(): Stripe.StripeConfig {
  const base = process.env.STRIPE_API_BASE;
  if (!base) return {};
  const url = new URL(base);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: Number(url.port || (protocol === 'http' ? 80 : 443)), protocol };
}

/** Replaces the providers of an app (tests: a Stripe client whose network calls are stubbed). */
export function useProviders(ctx: AppContext, providers: Providers): void {
  if (ctx.config.NODE_ENV === 'production' && providers.sandbox)
    throw new Error('the sandbox payment provider is refused in production');
  configured.set(ctx, providers);
}

export function providerOrRefuse(ctx: AppContext, name: ProviderName): PaymentProvider {
  const provider = providersFor(ctx)[name];
  if (!provider)
    throw AppError.invalid(
      name === 'sandbox'
        ? 'provider: the sandbox is not available in production'
        : `provider: ${name} is not configured`,
    );
  return provider;
}
