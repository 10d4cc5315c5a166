import { useId, type ReactNode } from 'react';

/**
 * A labelled control with its hint and message below, described for screen readers. The
 * message line keeps its height when empty, so warnings appear without moving the form.
 */
export function Field({
  label,
  hint,
  warn,
  optional,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  warn?: string | undefined;
  optional?: string;
  children: (props: { id: string; 'aria-describedby': string; 'aria-invalid'?: true }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const warnId = `${id}-warn`;
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
        {optional && <span className="field-optional"> ({optional})</span>}
      </label>
      {children({ id, 'aria-describedby': `${hintId} ${warnId}`, ...(warn ? { 'aria-invalid': true as const } : {}) })}
      {hint && (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      )}
      <p id={warnId} className="field-warn" aria-live="polite">
        {warn ?? ''}
      </p>
    </div>
  );
}

/** Pasted credentials often carry spaces, line breaks or quotes from the page they came from. */
export function cleanPasted(text: string): string {
  return text
    .trim()
    .replace(/^["'“”‘’]+|["'“”‘’]+$/g, '')
    .trim();
}
