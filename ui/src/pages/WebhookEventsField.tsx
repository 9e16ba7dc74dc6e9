import type { Ref } from 'react';
import { ErrorNotice, Loading } from '../components/feedback';
import { FieldError, RadioCard } from '../components/forms';
import type { EventTypesState } from '../event-types';

/** The webhook form's choice of events: all of them, or the types picked from the catalogue. */
export function WebhookEventsField({
  eventTypes,
  allEvents,
  onAllEventsChange,
  selected,
  onSelectedChange,
  error,
  ref,
}: {
  eventTypes: EventTypesState;
  allEvents: boolean;
  onAllEventsChange: (allEvents: boolean) => void;
  selected: string[];
  onSelectedChange: (selected: string[]) => void;
  error: string | undefined;
  ref: Ref<HTMLFieldSetElement>;
}) {
  return (
    <fieldset className="field fieldset" ref={ref} aria-describedby={error ? 'events-error' : undefined}>
      <legend>Events</legend>
      <div className="radio-cards">
        <RadioCard
          name="events-mode"
          checked={allEvents}
          onChange={() => onAllEventsChange(true)}
          title="All events"
        >
          Including event types added later
        </RadioCard>
        <RadioCard
          name="events-mode"
          checked={!allEvents}
          onChange={() => onAllEventsChange(false)}
          title="Selected events"
        >
          Only the types you pick below
        </RadioCard>
      </div>
      {!allEvents && (
        <div className="event-picker">
          {eventTypes.error && <ErrorNotice message={eventTypes.error} onRetry={eventTypes.reload} />}
          {!eventTypes.data && !eventTypes.error && <Loading label="Loading event types…" />}
          {eventTypes.data
            ?.filter((type) => type.subscribable)
            .map((type) => (
              <label key={type.name} className="check-row">
                <input
                  type="checkbox"
                  checked={selected.includes(type.name)}
                  onChange={(e) =>
                    onSelectedChange(
                      e.target.checked
                        ? [...selected, type.name]
                        : selected.filter((name) => name !== type.name),
                    )
                  }
                />
                <span className="mono">{type.name}</span>
                <span className="muted check-desc">{type.description}</span>
              </label>
            ))}
        </div>
      )}
      <FieldError id="events-error" message={error} />
    </fieldset>
  );
}
