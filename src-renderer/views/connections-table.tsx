import { useTranslation } from 'react-i18next';
import { memo } from 'react';
import type { ConnectionRow } from '../../src-shared/model/connection';
import { fmtBytes, fmtDateTime, fmtDuration } from '../i18n/format';
import { ariaSort, connectionKey, type NameOf, type SortKey, type SortState } from '../store/connections';

const COLUMNS: readonly { key: SortKey; numeric?: boolean }[] = [
  { key: 'mapping' },
  { key: 'protocol' },
  { key: 'client' },
  { key: 'since' },
  { key: 'bytesIn', numeric: true },
  { key: 'bytesOut', numeric: true },
  { key: 'state' },
];

interface RowProps {
  row: ConnectionRow;
  name: string;
  now: number;
  onClose: (row: ConnectionRow) => void;
}

const Row = memo(function Row({ row, name, now, onClose }: RowProps) {
  const { t } = useTranslation();
  return (
    <tr data-testid="connection-row" data-client={row.client} data-rule-id={row.ruleId}>
      <td className="conn-mapping">{name}</td>
      <td>
        <span className="proto">{row.protocol.toUpperCase()}</span>
      </td>
      <td>
        <code>{row.client}</code>
      </td>
      <td className="num" title={fmtDateTime(row.since)}>
        {fmtDuration(Math.max(0, now - row.since))}
      </td>
      <td className="num" data-testid="conn-bytes-in" data-value={row.bytesIn}>
        {fmtBytes(row.bytesIn)}
      </td>
      <td className="num" data-testid="conn-bytes-out" data-value={row.bytesOut}>
        {fmtBytes(row.bytesOut)}
      </td>
      <td>
        <span className={`conn-state conn-state-${row.state}`}>{t(`connections.state.${row.state}`)}</span>
      </td>
      <td className="conn-actions">
        <button type="button" className="btn btn-ghost btn-danger btn-small" aria-label={t('connections.closeAria', { client: row.client })} onClick={() => onClose(row)}>
          {t('connections.close')}
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
  const { t } = useTranslation();
  return (
    <table className="conn-table" aria-label={t('connections.title')}>
      <thead>
        <tr>
          {COLUMNS.map((c) => (
            <th key={c.key} scope="col" aria-sort={ariaSort(sort, c.key)} className={c.numeric || c.key === 'since' ? 'num' : undefined}>
              <button type="button" className="sort-btn" onClick={() => onSort(c.key)}>
                {t(`connections.column.${c.key}`)}
                <span className="sort-mark" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            </th>
          ))}
          <th scope="col">
            <span className="sr-only">{t('connections.actions')}</span>
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
