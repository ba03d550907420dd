/** The quiet confirmation after a save, announced politely. */
export function SavedNote({ shown }: { readonly shown: boolean }) {
  if (!shown) return null;
  return (
    <span role="status" class="success">
      Saved.
    </span>
  );
}
