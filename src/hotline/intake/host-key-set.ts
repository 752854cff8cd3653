const EMPTY_V4 = -1;
const EMPTY_V6 = -1;
const MAX_LOAD = 0.6;

function mix(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}

/**
 * The set of (address, port) pairs seen in an upload, for deduplication with flat memory: open addressing in typed
 * arrays, no object per entry. IPv4 keys are `address * 65537 + port + 1` in a Float64Array (exact below 2^53; 0
 * for "no port"), about 13 bytes a host at the maximum load; IPv6 keys are four words plus the port, about 33 bytes.
 * A Set of strings would take about 80 bytes a host and a string per host to build the key.
 *
 * @example
 * const seen = new HostKeySet();
 * seen.add4(0x1f950101, 443) // true: new
 * seen.add4(0x1f950101, 443) // false: a duplicate
 * seen.add4(0x1f950101, null) // true: no port is a key of its own
 */
export class HostKeySet {
  private v4 = new Float64Array(1024).fill(EMPTY_V4);
  private v4Count = 0;
  private v6Words = new Uint32Array(4 * 256);
  private v6Ports = new Int32Array(256).fill(EMPTY_V6);
  private v6Count = 0;

  /** Number of distinct keys. */
  get size(): number {
    return this.v4Count + this.v6Count;
  }

  /** Adds an IPv4 host (uint32 address, port or null); returns false when it was already there. */
  add4(address: number, port: number | null): boolean {
    const p1 = port === null ? 0 : port + 1;
    const key = address * 65537 + p1;
    let table = this.v4;
    let mask = table.length - 1;
    let i = mix(address, p1) & mask;
    for (;;) {
      const k = table[i]!;
      if (k === key) return false;
      if (k === EMPTY_V4) break;
      i = (i + 1) & mask;
    }
    if (this.v4Count + 1 > table.length * MAX_LOAD) {
      this.growV4();
      table = this.v4;
      mask = table.length - 1;
      i = mix(address, p1) & mask;
      while (table[i] !== EMPTY_V4) i = (i + 1) & mask;
    }
    table[i] = key;
    this.v4Count++;
    return true;
  }

  /** Adds an IPv6 host (four big-endian words at `words[offset..]`, port or null); false when already there. */
  add6(words: Uint32Array, offset: number, port: number | null): boolean {
    const p1 = port === null ? 0 : port + 1;
    const w0 = words[offset]!;
    const w1 = words[offset + 1]!;
    const w2 = words[offset + 2]!;
    const w3 = words[offset + 3]!;
    const h = mix(mix(mix(w0, w1) ^ w2, w3), p1);
    let ports = this.v6Ports;
    let ws = this.v6Words;
    let mask = ports.length - 1;
    let i = h & mask;
    for (;;) {
      const p = ports[i]!;
      if (p === EMPTY_V6) break;
      if (p === p1 && ws[4 * i] === w0 && ws[4 * i + 1] === w1 && ws[4 * i + 2] === w2 && ws[4 * i + 3] === w3) return false;
      i = (i + 1) & mask;
    }
    if (this.v6Count + 1 > ports.length * MAX_LOAD) {
      this.growV6();
      ports = this.v6Ports;
      ws = this.v6Words;
      mask = ports.length - 1;
      i = h & mask;
      while (ports[i] !== EMPTY_V6) i = (i + 1) & mask;
    }
    ports[i] = p1;
    ws[4 * i] = w0;
    ws[4 * i + 1] = w1;
    ws[4 * i + 2] = w2;
    ws[4 * i + 3] = w3;
    this.v6Count++;
    return true;
  }

  private growV4(): void {
    const old = this.v4;
    const table = new Float64Array(old.length * 2).fill(EMPTY_V4);
    const mask = table.length - 1;
    for (let j = 0; j < old.length; j++) {
      const key = old[j]!;
      if (key === EMPTY_V4) continue;
      const address = Math.floor(key / 65537);
      let i = mix(address, key - address * 65537) & mask;
      while (table[i] !== EMPTY_V4) i = (i + 1) & mask;
      table[i] = key;
    }
    this.v4 = table;
  }

  private growV6(): void {
    const oldPorts = this.v6Ports;
    const oldWords = this.v6Words;
    const ports = new Int32Array(oldPorts.length * 2).fill(EMPTY_V6);
    const ws = new Uint32Array(ports.length * 4);
    const mask = ports.length - 1;
    for (let j = 0; j < oldPorts.length; j++) {
      const p1 = oldPorts[j]!;
      if (p1 === EMPTY_V6) continue;
      const w0 = oldWords[4 * j]!;
      const w1 = oldWords[4 * j + 1]!;
      const w2 = oldWords[4 * j + 2]!;
      const w3 = oldWords[4 * j + 3]!;
      let i = mix(mix(mix(w0, w1) ^ w2, w3), p1) & mask;
      while (ports[i] !== EMPTY_V6) i = (i + 1) & mask;
      ports[i] = p1;
      ws[4 * i] = w0;
      ws[4 * i + 1] = w1;
      ws[4 * i + 2] = w2;
      ws[4 * i + 3] = w3;
    }
    this.v6Ports = ports;
    this.v6Words = ws;
  }
}
