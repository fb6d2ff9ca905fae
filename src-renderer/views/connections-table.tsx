import { memo } from 'react';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { formatBytes, formatDuration } from '../../src-shared/format/units';
import { ariaSort, connectionKey, type NameOf, type SortKey, type SortState } from '../store/connections';

const COLUMNS: readonly { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'mapping', label: 'Mapping' },
  { key: 'protocol', label: 'Protocol' },
  { key: 'client', label: 'Client' },
  { key: 'since', label: 'Since' },
  { key: 'bytesIn', label: 'In', numeric: true },
  { key: 'bytesOut', label: 'Out', numeric: true },
  { key: 'state', label: 'State' },
];

const STATE_LABELS: Record<ConnectionRow['state'], string> = {
  connecting: 'Connecting',
  open: 'Open',
  'half-closed': 'Half-closed',
  active: 'Active',
};

interface RowProps {
  row: ConnectionRow;
  name: string;
  now: number;
  onClose: (row: ConnectionRow) => void;
}

const Row = memo(function Row({ row, name, now, onClose }: RowProps) {
  return (
    <tr data-testid="connection-row" data-client={row.client} data-rule-id={row.ruleId}>
      <td className="conn-mapping">{name}</td>
      <td>
        <span className="proto">{row.protocol.toUpperCase()}</span>
      </td>
      <td>
        <code>{row.client}</code>
      </td>
      <td className="num" title={new Date(row.since).toLocaleString()}>
        {formatDuration(Math.max(0, now - row.since))}
      </td>
      <td className="num" data-testid="conn-bytes-in" data-value={row.bytesIn}>
        {formatBytes(row.bytesIn)}
      </td>
      <td className="num" data-testid="conn-bytes-out" data-value={row.bytesOut}>
        {formatBytes(row.bytesOut)}
      </td>
      <td>
        <span className={`conn-state conn-state-${row.state}`}>{STATE_LABELS[row.state]}</span>
      </td>
      <td className="conn-actions">
        <button type="button" className="btn btn-ghost btn-danger btn-small" aria-label={`Close connection from ${row.client}`} onClick={() => onClose(row)}>
          Close
        </button>
      </td>
    </tr>
  );
});

interface TableProps {
  rows: readonly ConnectionRow[];
  now: number;
  nameOf: NameOf;
  sort: SortState;
  onSort: (key: SortKey) => void;
  onClose: (row: ConnectionRow) => void;
}

/** The live connections, with a button in each column header that sorts by it. */
export function ConnectionsTable({ rows, now, nameOf, sort, onSort, onClose }: TableProps) {
  return (
    <table className="conn-table" aria-label="Connections">
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col" aria-sort={ariaSort(sort, c.key)} className={c.numeric || c.key === 'since' ? 'num' : undefined}>
              <button type="button" className="sort-btn" onClick={() => onSort(c.key)}>
                {c.label}
                <span className="sort-mark" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </th>
          ))}
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <Row key={connectionKey(r)} row={r} name={nameOf(r.ruleId)} now={now} onClose={onClose} />
        ))}
      </tbody>
    </table>
  );
}
