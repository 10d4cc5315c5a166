/** Names to type into DingTalk's console exactly (permission codes, template variables): each with its copy button and what it is for. */
import type { ReactNode } from 'react';
import { CopyValue } from './CopyButton';

export function CopyTable({ head, rows }: { head: [string, string]; rows: ReadonlyArray<{ value: string; about: ReactNode }> }) {
  return (
    <table className="table copy-table">
      <thead>
        <tr>
          <th scope="col">{head[0]}</th>
          <th scope="col">{head[1]}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ value, about }) => (
          <tr key={value}>
            <td>
              <CopyValue value={value} what={value} />
            </td>
            <td>{about}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
