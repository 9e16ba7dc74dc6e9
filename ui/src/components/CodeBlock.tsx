/** A scrollable block of JSON that keyboards can scroll too: it takes focus. */
export function CodeBlock({ children }: { children: string }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <pre className="code-block" tabIndex={0}>
      {children}
    </pre>
  );
}
