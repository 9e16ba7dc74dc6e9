import type { EventType } from '../api-types';
import { Badge } from '../components/Badge';
import { CodeBlock } from '../components/CodeBlock';
import { CopyButton } from '../components/CopyButton';
import { Dialog } from '../components/dialogs';
import { examplePayload } from '../event-types';

/** The documentation's sample envelope values: the dialog shows a type, not a real delivery. */
const SAMPLE_TENANT = 'tenant_abc123';
const SAMPLE_TIMESTAMP = '2025-01-15T10:30:00Z';

/** One event type of the catalogue: when it fires, an example delivery's body, and its data's schema. */
export function EventTypeDialog({ type, onClose }: { type: EventType | null; onClose: () => void }) {
  return (
    <Dialog
      open={type !== null}
      title={type?.name ?? ''}
      onClose={onClose}
      wide
      description={type?.description}
    >
      {type && (
        <>
          <p>
            <SchemaBadge type={type} /> <span className="muted">{schemaNote(type)}</span>
          </p>
          <section className="detail-section">
            <div className="section-heading">
              <h3>Example payload</h3>
              {type.example && (
                <CopyButton
                  text={examplePayload(type, SAMPLE_TENANT, SAMPLE_TIMESTAMP)}
                  label="Copy example"
                  className="button button-small"
                />
              )}
            </div>
            {type.example ? (
              <CodeBlock>{examplePayload(type, SAMPLE_TENANT, SAMPLE_TIMESTAMP)}</CodeBlock>
            ) : (
              <p className="muted">No example yet: an administrator adds one through the API.</p>
            )}
          </section>
          <section className="detail-section">
            <h3>
              Schema of <span className="mono">data</span>
            </h3>
            {type.schema ? (
              <CodeBlock>{JSON.stringify(type.schema, null, 2)}</CodeBlock>
            ) : (
              <p className="muted">No schema yet: an administrator adds one through the API.</p>
            )}
          </section>
        </>
      )}
    </Dialog>
  );
}

export function SchemaBadge({ type }: { type: EventType }) {
  if (!type.schema) return <Badge tone="neutral">No schema</Badge>;
  if (type.enforceSchema) return <Badge tone="info">Enforced</Badge>;
  return <Badge tone="neutral">Documented</Badge>;
}

function schemaNote(type: EventType): string {
  if (type.sentByHerald) {
    return type.subscribable
      ? 'Herald sends this event itself; webhooks can subscribe to it.'
      : 'Herald sends this event only to the webhook a Test is run on; webhooks cannot subscribe to it.';
  }
  if (!type.schema) return 'Publishes of this type carry any JSON object.';
  return type.enforceSchema
    ? 'Herald refuses a publish whose data does not match this schema.'
    : 'The schema documents the data; publishes are not checked against it.';
}
