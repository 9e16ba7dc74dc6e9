import type { TenantBranding } from '../api-types';
import { productName } from '../branding';

/** Herald's mark and name, or the tenant's logo and product name when the admin set them. */
export function Logo({ compact, branding = null }: { compact?: boolean; branding?: TenantBranding | null }) {
  const name = productName(branding);
  return (
    <span className="logo">
      {branding?.logoUrl ? (
        <img className="logo-image" src={branding.logoUrl} alt={compact ? name : ''} height={28} />
      ) : (
        <svg viewBox="0 0 32 32" width="28" height="28" aria-hidden="true">
          <rect width="32" height="32" rx="8" fill="var(--accent)" />
          <path d="M10 9v14M22 9v14M10 16h12" stroke="#fff" strokeWidth="3" strokeLinecap="round" />
        </svg>
      )}
      {!compact && <span className="logo-word">{name}</span>}
    </span>
  );
}
