'use client';
// A signed-in page's list (items, tokens): a table of rows under their headings, a line when
// there are none, and More while the list has another page.
import { Button, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@aws-amplify/ui-react';

export interface ListProps {
  heads: string[];
  rows: { key: string; cells: React.ReactNode[] }[];
  /** What the page says when there are no rows. */
  none: string;
  /** Asks for the following page; undefined on the last page. */
  more?: () => void;
  pending: boolean;
}

export function List({ heads, rows, none, more, pending }: ListProps) {
  return (
    <>
      {rows.length === 0 ? <Text>{none}</Text> : (
        <Table size="small" variation="striped" highlightOnHover>
          <TableHead>
            <TableRow>
              {heads.map((head) => <TableCell key={head} as="th">{head}</TableCell>)}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row) => (
              <TableRow key={row.key}>
                {row.cells.map((cell, i) => <TableCell key={heads[i]}>{cell}</TableCell>)}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {more && <Button isDisabled={pending} onClick={more}>More</Button>}
    </>
  );
}
