import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, api, appRoot, onAuthFailure, PORTAL_ERROR_CODES, session } from './api';
import type { Me, TenantBranding } from './api-types';
import { Console } from './Console';
import { Loading } from './components/feedback';
import { LinkProblem, type LinkProblemCode, SignIn } from './pages/SignIn';
import { paths } from './router';
import { ToastProvider } from './toasts';

type Phase =
  | { kind: 'checking' }
  | { kind: 'signed-out'; notice?: string }
  | { kind: 'link-problem'; code: LinkProblemCode; branding?: TenantBranding | null }
  | { kind: 'unreachable'; message: string }
  | { kind: 'ready'; me: Me };

/**
 * A portal link (`/portal#token=…`) puts the token in this tab's session and takes it out of the
 * address bar before anything else runs, so it is neither kept in history nor shown on screen.
 */
function consumePortalLink(): 'consumed' | 'missing' | 'none' {
  const onPortalPath = /\/portal\/?$/.test(window.location.pathname);
  const hash = window.location.hash.replace(/^#/, '');
  const params = new URLSearchParams(hash.startsWith('/') ? '' : hash);
  const token = params.get('token');
  if (token) {
    session.clear();
    session.set(token, true);
    window.history.replaceState(null, '', `${appRoot.pathname}#${paths.webhooks}`);
    return 'consumed';
  }
  if (onPortalPath) {
    window.history.replaceState(null, '', `${appRoot.pathname}#${paths.webhooks}`);
    return 'missing';
  }
  return 'none';
}

const portalOutcome = consumePortalLink();

function linkProblemOf(code: string): LinkProblemCode {
  return code === 'PORTAL_LINK_EXPIRED' ? 'PORTAL_LINK_EXPIRED' : 'PORTAL_LINK_INVALID';
}

export function App() {
  const [phase, setPhase] = useState<Phase>(() => {
    if (portalOutcome === 'missing' && !session.key())
      return { kind: 'link-problem', code: 'PORTAL_LINK_INVALID' };
    return session.key() ? { kind: 'checking' } : { kind: 'signed-out' };
  });

  const check = useCallback(async () => {
    const key = session.key();
    if (!key) {
      setPhase({ kind: 'signed-out' });
      return;
    }
    setPhase({ kind: 'checking' });
    try {
      const me = await api.me();
      setPhase({ kind: 'ready', me });
    } catch (error) {
      const err = error instanceof ApiError ? error : new ApiError(0, 'UNKNOWN', String(error));
      if (err.status === 401 && (PORTAL_ERROR_CODES.has(err.code) || session.isPortal())) {
        session.clear();
        setPhase({ kind: 'link-problem', code: linkProblemOf(err.code) });
      } else if (err.status === 401 || err.status === 403) {
        session.clear();
        setPhase({ kind: 'signed-out', notice: err.message });
      } else {
        setPhase({ kind: 'unreachable', message: err.message });
      }
    }
  }, []);

  const initialPhase = useRef(phase.kind);
  useEffect(() => {
    if (initialPhase.current === 'checking') void check();
  }, [check]);

  useEffect(() => {
    onAuthFailure((error) => {
      if (PORTAL_ERROR_CODES.has(error.code) || session.isPortal()) {
        session.clear();
        setPhase((current) => ({
          kind: 'link-problem',
          code: linkProblemOf(error.code),
          branding: current.kind === 'ready' ? current.me.branding : null,
        }));
      } else {
        session.clear();
        setPhase({
          kind: 'signed-out',
          notice: 'Your session ended: the API key is no longer accepted. Sign in again.',
        });
      }
    });
    return () => onAuthFailure(null);
  }, []);

  // Someone who came by a portal link has no API key: they get a way back through their product,
  // never a sign-in form.
  const signOut = useCallback(() => {
    const wasPortal = session.isPortal();
    session.clear();
    setPhase((current) =>
      wasPortal
        ? {
            kind: 'link-problem',
            code: 'SIGNED_OUT',
            branding: current.kind === 'ready' ? current.me.branding : null,
          }
        : { kind: 'signed-out', notice: 'You signed out.' },
    );
  }, []);

  const expire = useCallback(() => {
    const wasPortal = session.isPortal();
    session.clear();
    setPhase((current) =>
      wasPortal
        ? {
            kind: 'link-problem',
            code: 'PORTAL_LINK_EXPIRED',
            branding: current.kind === 'ready' ? current.me.branding : null,
          }
        : { kind: 'signed-out', notice: 'Your API key expired. Sign in with a new key from your admin.' },
    );
  }, []);

  let content: React.ReactNode;
  switch (phase.kind) {
    case 'checking':
      content = (
        <div className="fullpage">
          <Loading label="Signing in…" />
        </div>
      );
      break;
    case 'signed-out':
      content = (
        <SignIn
          notice={phase.notice}
          onSignedIn={(me) => {
            setPhase({ kind: 'ready', me });
            if (!window.location.hash.startsWith('#/')) window.location.hash = paths.webhooks;
          }}
        />
      );
      break;
    case 'link-problem':
      content = <LinkProblem code={phase.code} branding={phase.branding ?? null} />;
      break;
    case 'unreachable':
      content = (
        <div className="fullpage">
          <div className="card fullpage-card">
            <h1>Herald is not answering</h1>
            <p className="muted">{phase.message}</p>
            <div className="button-row">
              <button type="button" className="button button-primary" onClick={() => void check()}>
                Try again
              </button>
              <button type="button" className="button" onClick={signOut}>
                Sign out
              </button>
            </div>
          </div>
        </div>
      );
      break;
    case 'ready':
      content = <Console me={phase.me} onSignOut={signOut} onExpired={expire} portal={session.isPortal()} />;
      break;
  }
  return <ToastProvider>{content}</ToastProvider>;
}
