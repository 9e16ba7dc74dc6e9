import type { Ref } from 'react';
import type { WebhookOrdering } from '../api-types';
import { describedBy, FieldError, OptionalLabel, RadioCard } from '../components/forms';

/* How fast, and in what order, Herald sends to a webhook: the webhook form's Rate limit and Ordering. */

/** The API's ceiling for `rateLimit` (RateLimit in src/api/schemas/webhooks.ts). */
const MAX_RATE_LIMIT = 100_000;

/** The Rate limit field's text as the API takes it: empty is no limit (null). */
export function parseRateLimit(text: string): { rateLimit: number | null } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { rateLimit: null };
  const rateLimit = Number(trimmed);
  if (!Number.isFinite(rateLimit) || rateLimit <= 0) {
    return {
      error:
        'Enter how many deliveries a second, a number above 0 such as 10 or 0.5, or leave it empty for no limit.',
    };
  }
  if (rateLimit > MAX_RATE_LIMIT) {
    return {
      error: `Enter at most ${MAX_RATE_LIMIT.toLocaleString('en')} deliveries a second, or leave it empty for no limit.`,
    };
  }
  return { rateLimit };
}

export function RateLimitField({
  value,
  onChange,
  error,
  ref,
}: {
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  ref: Ref<HTMLInputElement>;
}) {
  return (
    <div className="field">
      <OptionalLabel htmlFor="webhook-rate-limit">Rate limit</OptionalLabel>
      <div className="input-group">
        <input
          ref={ref}
          id="webhook-rate-limit"
          name="rateLimit"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          placeholder="No limit"
          className="input-short"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(error, 'rate-limit-error', 'rate-limit-hint')}
        />
        <span className="input-unit">deliveries per second</span>
      </div>
      <FieldError id="rate-limit-error" message={error} />
      <p id="rate-limit-hint" className="field-hint">
        The most Herald sends to this URL each second, from each worker process. Leave it empty for no limit.
      </p>
    </div>
  );
}

export function OrderingField({
  value,
  onChange,
}: {
  value: WebhookOrdering;
  onChange: (ordering: WebhookOrdering) => void;
}) {
  return (
    <fieldset className="field fieldset" aria-describedby="ordering-hint">
      <legend>Ordering</legend>
      <div className="radio-cards">
        <RadioCard
          name="ordering"
          checked={value === 'none'}
          onChange={() => onChange('none')}
          title="In parallel (default)"
        >
          Several deliveries at once, in no guaranteed order
        </RadioCard>
        <RadioCard
          name="ordering"
          checked={value === 'fifo'}
          onChange={() => onChange('fifo')}
          title="In order (FIFO)"
        >
          Each event only after the one before it
        </RadioCard>
      </div>
      <p id="ordering-hint" className="field-hint">
        FIFO sends one delivery at a time: throughput is at most one per round-trip, and one failing event
        holds back the rest until it succeeds or is dead-lettered.
      </p>
    </fieldset>
  );
}
