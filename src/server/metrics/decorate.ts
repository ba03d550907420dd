/**
 * `target` with the members in `overrides` replaced and every other member passed through to it
 * (methods bound to the target, so its private fields stay reachable). A decorator that does not
 * have to follow each new method of the contract it wraps, and so cannot silently drop one.
 */
export function decorate<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(wrapped, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof T];
      const value: unknown = Reflect.get(wrapped, property, wrapped);
      return typeof value === 'function' ? value.bind(wrapped) : value;
    },
  });
}
