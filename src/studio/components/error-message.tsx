/** A failed action's message, announced to screen readers as it appears. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (error == null) return null;
  return (
    <p role="alert" class="error">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
