import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api';
import type { CreateWebhookBody, Webhook, WebhookOrdering } from '../api-types';
import { ErrorNotice, Loading } from '../components/feedback';
import {
  describedBy,
  FieldError,
  inFieldWords,
  OptionalLabel,
  SubmitButton,
  useFocusOnMount,
} from '../components/forms';
import { PageHeader } from '../components/PageHeader';
import type { EventTypesState } from '../event-types';
import { Link, navigate, paths } from '../router';
import { useToast } from '../toasts';
import { WebhookEventsField } from './WebhookEventsField';
import { OrderingField, parseRateLimit, RateLimitField } from './WebhookPacingFields';
import { RotateSecretDialog, WebhookSecretField } from './WebhookSecretField';
import { WebhookStatusNotice } from './WebhookStatus';

type Field = 'url' | 'secret' | 'events' | 'description' | 'rateLimit' | 'form';
type FieldErrors = Partial<Record<Field, string>>;

const FIELD_LABELS: Record<Exclude<Field, 'form'>, string> = {
  url: 'URL',
  secret: 'Secret',
  events: 'Events',
  description: 'Description',
  rateLimit: 'Rate limit',
};

/** Puts an API error next to the field it is about, in the API's own words. */
function fieldFor(error: ApiError): Field {
  if (error.code === 'INVALID_URL' || error.code === 'URL_NOT_ALLOWED') return 'url';
  if (error.code === 'UNKNOWN_EVENT_TYPE') return 'events';
  const message = error.message.toLowerCase();
  if (/\bratelimit\b|rate limit/.test(message)) return 'rateLimit';
  if (/\bsecret\b/.test(message)) return 'secret';
  if (/\bdescription\b/.test(message)) return 'description';
  if (/\bevents?\b/.test(message) || /event type/.test(message)) return 'events';
  if (/\burl\b/.test(message)) return 'url';
  return 'form';
}

export function WebhookFormPage({
  tenantId,
  eventTypes,
  webhookId,
}: {
  tenantId: string;
  eventTypes: EventTypesState;
  webhookId?: string;
}) {
  const editing = webhookId !== undefined;
  const toast = useToast();
  const [existing, setExisting] = useState<Webhook | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');
  const [removingSecret, setRemovingSecret] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [allEvents, setAllEvents] = useState(true);
  const [selected, setSelected] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const [ordering, setOrdering] = useState<WebhookOrdering>('none');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [submitting, setSubmitting] = useState(false);
  const urlRef = useFocusOnMount<HTMLInputElement>(!editing);
  const secretRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLInputElement>(null);
  const rateLimitRef = useRef<HTMLInputElement>(null);
  const eventsRef = useRef<HTMLFieldSetElement>(null);

  useEffect(() => {
    if (!webhookId) return;
    let cancelled = false;
    api
      .getWebhook(tenantId, webhookId)
      .then((webhook) => {
        if (cancelled) return;
        setExisting(webhook);
        setUrl(webhook.url);
        setDescription(webhook.description);
        setAllEvents(webhook.events.length === 0);
        setSelected(webhook.events);
        setRateLimit(webhook.rateLimit === null ? '' : String(webhook.rateLimit));
        setOrdering(webhook.ordering);
      })
      .catch((err) => {
        if (!cancelled) setLoadError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      cancelled = true;
    };
  }, [tenantId, webhookId]);

  function clearError(field: Field) {
    setErrors((all) => ({ ...all, [field]: undefined }));
  }

  function focusField(field: Field) {
    const target = {
      url: urlRef,
      secret: secretRef,
      description: descriptionRef,
      rateLimit: rateLimitRef,
      events: null,
      form: null,
    }[field];
    if (target?.current) target.current.focus();
    else if (field === 'events') eventsRef.current?.querySelector('input')?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const next: FieldErrors = {};
    if (!url.trim()) next.url = 'Enter the URL where notifications should be sent.';
    if (!allEvents && selected.length === 0)
      next.events = 'Pick at least one event type, or choose All events.';
    const pace = parseRateLimit(rateLimit);
    if ('error' in pace) next.rateLimit = pace.error;
    setErrors(next);
    if (next.url) return focusField('url');
    if (next.events) return focusField('events');
    if ('error' in pace) return focusField('rateLimit');

    // Rate limit and ordering are always sent, so that Edit can also clear them (null, 'none').
    const body: CreateWebhookBody = {
      url: url.trim(),
      events: allEvents ? [] : selected,
      description: description.trim(),
      ordering,
      rateLimit: pace.rateLimit,
    };
    if (secret.trim()) body.secret = secret.trim();
    setSubmitting(true);
    try {
      if (editing && webhookId) {
        await api.updateWebhook(tenantId, webhookId, removingSecret ? { ...body, secret: null } : body);
        toast('Webhook saved.');
      } else {
        await api.createWebhook(tenantId, body);
        toast('Webhook registered. Use Test to check that it receives events.');
      }
      navigate(paths.webhooks);
    } catch (err) {
      if (err instanceof ApiError) {
        const field = fieldFor(err);
        setErrors({
          [field]: field === 'form' ? err.message : inFieldWords(err.message, FIELD_LABELS[field]),
        });
        focusField(field);
      } else {
        setErrors({ form: err instanceof Error ? err.message : String(err) });
      }
    } finally {
      setSubmitting(false);
    }
  }

  const back = (
    <Link to={paths.webhooks} className="back-link" aria-label="Back to webhooks">
      <span aria-hidden="true">←</span> Webhooks
    </Link>
  );

  if (editing && loadError) {
    return (
      <>
        <PageHeader title="Edit webhook" back={back} />
        <ErrorNotice title="This webhook could not be loaded." message={loadError} />
      </>
    );
  }
  if (editing && !existing) {
    return (
      <>
        <PageHeader title="Edit webhook" back={back} />
        <Loading />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={editing ? 'Edit webhook' : 'Register Webhook'}
        description={
          editing
            ? 'Change where and what Herald delivers. Deliveries already made keep their history.'
            : 'Herald will POST a signed JSON payload to this URL each time a subscribed event happens.'
        }
        back={back}
      />
      <form
        className="card form-card"
        onSubmit={submit}
        noValidate
        aria-label={editing ? 'Edit webhook' : 'Register Webhook'}
      >
        {errors.form && <ErrorNotice message={errors.form} />}
        {existing && <WebhookStatusNotice webhook={existing} />}

        <div className="field">
          <label htmlFor="webhook-url">URL</label>
          <input
            ref={urlRef}
            id="webhook-url"
            name="url"
            type="text"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder="https://example.com/webhooks/herald"
            className="mono-input"
            value={url}
            onChange={(e) => {
              setUrl(e.target.value);
              clearError('url');
            }}
            aria-invalid={errors.url ? true : undefined}
            aria-describedby={describedBy(errors.url, 'url-error', 'url-hint')}
          />
          <FieldError id="url-error" message={errors.url} />
          <p id="url-hint" className="field-hint">
            Where notifications should be sent. Use HTTPS in production.
          </p>
        </div>

        <WebhookSecretField
          ref={secretRef}
          tenantId={tenantId}
          existing={existing}
          value={secret}
          removing={removingSecret}
          error={errors.secret}
          onChange={(value) => {
            setSecret(value);
            clearError('secret');
          }}
          onRemovingChange={setRemovingSecret}
          onRotate={() => setRotating(true)}
          onWebhookChange={setExisting}
        />

        <WebhookEventsField
          ref={eventsRef}
          eventTypes={eventTypes}
          allEvents={allEvents}
          onAllEventsChange={setAllEvents}
          selected={selected}
          onSelectedChange={setSelected}
          error={errors.events}
        />

        <div className="field">
          <OptionalLabel htmlFor="webhook-description">Description</OptionalLabel>
          <input
            ref={descriptionRef}
            id="webhook-description"
            name="description"
            type="text"
            placeholder="e.g. Production order sync"
            value={description}
            onChange={(e) => {
              setDescription(e.target.value);
              clearError('description');
            }}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={describedBy(errors.description, 'description-error')}
          />
          <FieldError id="description-error" message={errors.description} />
        </div>

        <RateLimitField
          ref={rateLimitRef}
          value={rateLimit}
          onChange={(value) => {
            setRateLimit(value);
            clearError('rateLimit');
          }}
          error={errors.rateLimit}
        />

        <OrderingField value={ordering} onChange={setOrdering} />

        <div className="form-actions">
          <SubmitButton busy={submitting}>{editing ? 'Save changes' : 'Create'}</SubmitButton>
          <button type="button" className="button" onClick={() => navigate(paths.webhooks)}>
            Cancel
          </button>
        </div>
      </form>
      {existing && (
        <RotateSecretDialog
          open={rotating}
          tenantId={tenantId}
          webhook={existing}
          onClose={() => setRotating(false)}
          onRotated={setExisting}
        />
      )}
    </>
  );
}
