import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFormatError, CsvParser, readCsvFile } from '../../src/registry/csv-reader.js';

function parseChunks(chunks: string[]): [string[], number][] {
  const rows: [string[], number][] = [];
  const p = new CsvParser((f, line) => rows.push([f, line]));
  for (const c of chunks) p.push(c);
  p.end();
  return rows;
}

const TRICKY =
  '1,2,plain\r\n' +
  '3,4,"Cloudflare, Inc."\n' +
  '\n' +
  '5,6,"LLC ""SPUTNIK"""\n' +
  '7,8,"two\nlines",x\n' +
  '9,,"",\n' +
  '10,11,last-without-newline';

const EXPECTED: [string[], number][] = [
  [['1', '2', 'plain'], 1],
  [['3', '4', 'Cloudflare, Inc.'], 2],
  [['5', '6', 'LLC "SPUTNIK"'], 4],
  [['7', '8', 'two\nlines', 'x'], 5],
  [['9', '', '', ''], 7],
  [['10', '11', 'last-without-newline'], 8],
];

test('quoted fields with commas, doubled quotes, line breaks; CRLF; empty lines; line numbers', () => {
  assert.deepEqual(parseChunks([TRICKY]), EXPECTED);
});

test('the same rows whatever the chunk boundaries', () => {
  for (let i = 0; i <= TRICKY.length; i++) {
    assert.deepEqual(parseChunks([TRICKY.slice(0, i), TRICKY.slice(i)]), EXPECTED, `split at ${i}`);
  }
  assert.deepEqual(parseChunks(TRICKY.split('')), EXPECTED, 'one character at a time');
});

test('malformed CSV is an error naming the line', () => {
  assert.throws(() => parseChunks(['a,b\n1,"open\n']), (e: unknown) => e instanceof CsvFormatError && e.line === 2 && /not closed/.test(e.message));
  assert.throws(() => parseChunks(['1,"x"y,2\n']), (e: unknown) => e instanceof CsvFormatError && /after a closing quote/.test(e.message));
  assert.throws(() => parseChunks(['1,"x",2\n3,ab"c,"d"\n']), (e: unknown) => e instanceof CsvFormatError && e.line === 2);
});

test('readCsvFile streams a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'baken-csv-'));
  try {
    const file = join(dir, 'x.csv');
    // Big enough to span several read chunks, with a quoted field now and then.
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(i % 7 === 0 ? `${i},"name, ""${i}"""` : `${i},name ${i}`);
    writeFileSync(file, lines.join('\n') + '\n');
    const seen: string[][] = [];
    const count = await readCsvFile(file, (f) => seen.push(f));
    assert.equal(count, 60_000);
    assert.deepEqual(seen[7], ['7', 'name, "7"']);
    assert.deepEqual(seen[59_999], ['59999', 'name 59999']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
