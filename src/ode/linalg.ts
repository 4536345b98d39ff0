/** Small dense linear algebra for implicit methods: LU with partial pivoting, in place. */

/** Factor the n x n row-major matrix `a` in place; `pivot` receives the row permutation. */
export function luFactor(a: Float64Array, n: number, pivot: Int32Array): void {
  for (let k = 0; k < n; k++) {
    let p = k;
    let max = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > max) {
        max = v;
        p = i;
      }
    }
    if (max === 0) throw new Error("singular matrix in the Newton iteration");
    pivot[k] = p;
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = a[k * n + j]!;
        a[k * n + j] = a[p * n + j]!;
        a[p * n + j] = t;
      }
    }
    const d = a[k * n + k]!;
    for (let i = k + 1; i < n; i++) {
      const f = (a[i * n + k]! /= d);
      for (let j = k + 1; j < n; j++) a[i * n + j]! -= f * a[k * n + j]!;
    }
  }
}

/** Solve LU x = b in place (b becomes x). */
export function luSolve(lu: Float64Array, n: number, pivot: Int32Array, b: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const p = pivot[k]!;
    if (p !== k) {
      const t = b[k]!;
      b[k] = b[p]!;
      b[p] = t;
    }
    for (let i = k + 1; i < n; i++) b[i]! -= lu[i * n + k]! * b[k]!;
  }
  for (let k = n - 1; k >= 0; k--) {
    let s = b[k]!;
    for (let j = k + 1; j < n; j++) s -= lu[k * n + j]! * b[j]!;
    b[k] = s / lu[k * n + k]!;
  }
}
