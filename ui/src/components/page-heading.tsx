import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { hasNavigated } from '../router/router.ts';

interface PageHeadingProps {
  readonly title: string;
  readonly children?: ComponentChildren;
}

/**
 * Each page's h1. After a client-side navigation focus moves here: screen readers announce the
 * new page and Tab continues from it. A fresh load leaves focus at the document's start, where the
 * skip link is.
 */
export function PageHeading({ title, children }: PageHeadingProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Sealbox`;
    if (hasNavigated()) heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <h1 tabIndex={-1} ref={heading}>
      {children ?? title}
    </h1>
  );
}
