import type { ReactNode } from 'react';
import { ErrorNotice, Loading } from './feedback';

/** The states of a dialog that shows one record: the load error, loading, then the record itself. */
export function DetailStates<T>({
  detail,
  error,
  children,
}: {
  detail: T | null;
  error: string | null;
  children: (detail: T) => ReactNode;
}) {
  return (
    <>
      {error && <ErrorNotice message={error} />}
      {!error && !detail && <Loading />}
      {detail && <div className="detail">{children(detail)}</div>}
    </>
  );
}

/** One labelled value of a detail grid (`<dl className="detail-grid">`). */
export function DetailField({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={className}>{children}</dd>
    </div>
  );
}
