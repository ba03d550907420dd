interface TableHeadProps {
  /** Read by screen readers only: the heading above the table already says it to everyone else. */
  readonly caption: string;
  readonly columns: readonly string[];
}

/** A table's caption and header row; the last column holds each row's buttons. */
export function TableHead({ caption, columns }: TableHeadProps) {
  return (
    <>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((column) => (
            <th scope="col" key={column}>
              {column}
            </th>
          ))}
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
    </>
  );
}
