interface ErrorAlertProps {
  readonly errors: readonly string[];
  readonly id?: string;
}

/** The server's `errors` as it wrote them, announced by screen readers as soon as they appear. */
export function ErrorAlert({ errors, id }: ErrorAlertProps) {
  if (errors.length === 0) return null;
  return (
    <div class="alert" role="alert" id={id}>
      {errors.length === 1 ? (
        <p>{errors[0]}</p>
      ) : (
        <ul>
          {errors.map((error, index) => (
            <li key={index}>{error}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
