/** Growable typed arrays: the in-memory dedup structures grow their arrays by 1.5x, keeping the contents. */

/** `a` itself when it holds `need` elements, else a copy of it with room for at least `need` (1.5x steps). */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = Math.max(16, Math.ceil(a.length * 1.5));
  while (cap < need) cap = Math.ceil(cap * 1.5);
  const next = new (a.constructor as { new (n: number): T })(cap);
  next.set(a);
  return next;
}
