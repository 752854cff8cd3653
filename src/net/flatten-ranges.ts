/**
 * Turns possibly nested or overlapping ranges into disjoint segments covering the whole address space, each with
 * the value of the most specific range containing it: the smallest one, and of equal sizes the one given last.
 * Gaps get -1. Adjacent segments with the same value are merged.
 *
 * Generic over the key type so IPv4 (number) and IPv6 (bigint) share one implementation of the rule; the prefix
 * tables only come here when the input is not already sorted and disjoint, which bundled data is.
 */
export interface FlatSegments<K> {
  readonly starts: K[];
  readonly values: number[];
}

export interface KeyOps<K> {
  readonly zero: K;
  readonly max: K;
  succ(k: K): K;
  /** `last - first`, compared to pick the smallest range. */
  size(first: K, last: K): K;
}

export const numberKeys: KeyOps<number> = { zero: 0, max: 0xffffffff, succ: (k) => k + 1, size: (f, l) => l - f };
export const bigintKeys: KeyOps<bigint> = { zero: 0n, max: (1n << 128n) - 1n, succ: (k) => k + 1n, size: (f, l) => l - f };

export function flattenRanges<K extends number | bigint>(
  firsts: readonly K[],
  lasts: readonly K[],
  values: ArrayLike<number>,
  ops: KeyOps<K>,
): FlatSegments<K> {
  const n = firsts.length;
  const cmp = (a: K, b: K) => (a < b ? -1 : a > b ? 1 : 0);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => cmp(firsts[a]!, firsts[b]!));
  const sizes = firsts.map((f, i) => ops.size(f, lasts[i]!));
  const boundarySet: K[] = [];
  for (let i = 0; i < n; i++) {
    boundarySet.push(firsts[i]!);
    if (lasts[i]! < ops.max) boundarySet.push(ops.succ(lasts[i]!));
  }
  boundarySet.sort(cmp);

  // Min-heap of range indices: smallest size first, then the later index.
  const heap: number[] = [];
  const before = (a: number, b: number) => {
    const c = cmp(sizes[a]!, sizes[b]!);
    return c < 0 || (c === 0 && a > b);
  };
  const push = (x: number) => {
    let i = heap.push(x) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  };
  const pop = () => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };

  const starts: K[] = [];
  const out: number[] = [];
  if (boundarySet.length === 0 || boundarySet[0] !== ops.zero) {
    starts.push(ops.zero);
    out.push(-1);
  }
  let p = 0;
  let prev: K | undefined;
  for (const b of boundarySet) {
    if (b === prev) continue;
    prev = b;
    while (p < n && firsts[order[p]!] === b) push(order[p++]!);
    while (heap.length > 0 && lasts[heap[0]!]! < b) pop();
    const v = heap.length > 0 ? values[heap[0]!]! : -1;
    if (out.length > 0 && out[out.length - 1] === v) continue;
    starts.push(b);
    out.push(v);
  }
  return { starts, values: out };
}
