import { useCallback, useState } from 'preact/hooks';
import { errorMessages } from '../api/api-error.ts';

export interface Action {
  readonly busy: boolean;
  readonly errors: readonly string[];
  /** Runs one submit at a time; what it throws becomes `errors`. Resolves true when it succeeded. */
  run(task: () => Promise<void>): Promise<boolean>;
  setErrors(errors: readonly string[]): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<readonly string[]>([]);
  const run = useCallback(async (task: () => Promise<void>) => {
    setBusy(true);
    setErrors([]);
    try {
      await task();
      return true;
    } catch (error) {
      setErrors(errorMessages(error));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, errors, run, setErrors };
}
