/**
 * A small RFC 4180 CSV reader: quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF ends a
 * record; a UTF-8 byte-order mark is dropped. Enough for Bitext's files without a dependency.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (text[i + 1] === '\n') i++;
      endRow();
    } else field += ch;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Rows as objects keyed by the header; rows with another field count are returned in `bad`. */
export function csvRecords(text: string): { records: Array<Record<string, string>>; bad: number } {
  const [header, ...rows] = parseCsv(text);
  if (!header) return { records: [], bad: 0 };
  const records: Array<Record<string, string>> = [];
  let bad = 0;
  for (const r of rows) {
    if (r.length === 1 && r[0] === '') continue;
    if (r.length !== header.length) {
      bad++;
      continue;
    }
    records.push(Object.fromEntries(header.map((h, k) => [h, r[k]!])));
  }
  return { records, bad };
}
