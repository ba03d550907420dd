import type { ComponentChildren } from 'preact';
import { href, navigate } from './router.ts';

interface LinkProps {
  readonly to: string;
  readonly children: ComponentChildren;
  readonly class?: string;
  readonly current?: boolean;
}

/** A real link (keyboard, middle click, copy address all work) that navigates without a reload. */
export function Link({ to, children, current, ...rest }: LinkProps) {
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} aria-current={current === true ? 'page' : undefined} {...rest}>
      {children}
    </a>
  );
}
