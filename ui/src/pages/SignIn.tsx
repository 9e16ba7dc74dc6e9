import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, session } from '../api';
import type { Me, TenantBranding } from '../api-types';
import { productName } from '../branding';
import { Spinner } from '../components/feedback';
import { useFocusOnMount } from '../components/forms';
import { Logo } from '../components/Logo';

export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (me: Me) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useFocusOnMount<HTMLInputElement>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Paste an API key to sign in.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await api.me(trimmed);
      session.set(trimmed);
      onSignedIn(me);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        setError('Herald did not accept this API key. Check that you copied all of it.');
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="fullpage signin">
      <div className="signin-card card">
        <div className="signin-brand">
          <Logo />
        </div>
        <h1>Sign in to your webhook console</h1>
        <p className="muted">
          Paste an API key. The admin key is printed when Herald first starts; tenant keys are created by an
          admin.
        </p>
        {notice && (
          <div className="notice notice-info" role="status">
            {notice}
          </div>
        )}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="api-key">API key</label>
            <input
              ref={inputRef}
              id="api-key"
              name="api-key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={key}
              onChange={(event) => setKey(event.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? 'api-key-error' : 'api-key-hint'}
            />
            {error ? (
              <p id="api-key-error" className="field-error" role="alert">
                {error}
              </p>
            ) : (
              <p id="api-key-hint" className="field-hint">
                Kept in this browser tab only, and forgotten when you close it.
              </p>
            )}
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy && <Spinner small />}
            Sign in
          </button>
        </form>
      </div>
    </main>
  );
}

export type LinkProblemCode = 'PORTAL_LINK_EXPIRED' | 'PORTAL_LINK_INVALID' | 'SIGNED_OUT';

const LINK_MESSAGES: Record<LinkProblemCode, { title: string; body: string }> = {
  PORTAL_LINK_EXPIRED: {
    title: 'This link has expired. Ask for a new one.',
    body: 'Links to the webhook console work for a limited time. Open the webhook settings in your product again, or ask its administrator for a fresh link.',
  },
  PORTAL_LINK_INVALID: {
    title: 'This link is not valid. Ask for a new one.',
    body: 'The link may have been cut short or changed when it was copied. Open the webhook settings in your product again, or ask its administrator for a fresh link.',
  },
  SIGNED_OUT: {
    title: 'You signed out.',
    body: 'To manage your webhooks again, open the webhook settings in your product: it gives you a fresh link.',
  },
};

/**
 * What someone who came by a portal link sees when the link cannot (or no longer) sign them in: a way
 * back through their product. No API key form: people inside a product have no key.
 */
export function LinkProblem({ code, branding }: { code: LinkProblemCode; branding: TenantBranding | null }) {
  const message = LINK_MESSAGES[code];
  useEffect(() => {
    document.title = `${message.title} · ${productName(branding)}`;
  }, [message, branding]);
  return (
    <main className="fullpage">
      <div className="card fullpage-card" role={code === 'SIGNED_OUT' ? 'status' : 'alert'}>
        {branding?.logoUrl || branding?.productName ? (
          <div className="signin-brand">
            <Logo branding={branding} />
          </div>
        ) : (
          <div className="fullpage-icon" aria-hidden="true">
            <svg
              viewBox="0 0 24 24"
              width="28"
              height="28"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              aria-hidden="true"
            >
              <circle cx="12" cy="12" r="9" />
              <path d="M12 7v6M12 16.5v.5" strokeLinecap="round" />
            </svg>
          </div>
        )}
        <h1>{message.title}</h1>
        <p className="muted">{message.body}</p>
      </div>
    </main>
  );
}
