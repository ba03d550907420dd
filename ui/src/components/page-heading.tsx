import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface PageHeadingProps {
  readonly title: string;
  readonly children?: ComponentChildren;
}

/**
 * Each page's h1. After a client-side navigation focus moves here, as a page load would put it at
 * the top: screen readers announce the new page and Tab continues from its start.
 */
export function PageHeading({ title, children }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Sealbox`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={heading}>
      {children ?? title}
    </h1>
  );
}
