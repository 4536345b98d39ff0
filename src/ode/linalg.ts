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

/**
 * Solve the tridiagonal system (lower, diag, upper) x = b in place by the Thomas algorithm (b
 * becomes x; `work` holds n numbers). Without pivoting: meant for the diagonally dominant
 * matrices I - h J of implicit steps on diffusion-like stencils.
 */
export function tridiagonalSolve(lower: Float64Array, diag: Float64Array, upper: Float64Array, b: Float64Array, work: Float64Array): void {
  const n = b.length;
  let d = diag[0]!;
  if (d === 0) throw new Error("singular tridiagonal matrix in the Newton iteration");
  b[0] = b[0]! / d;
  for (let i = 1; i < n; i++) {
    work[i] = upper[i - 1]! / d;
    d = diag[i]! - lower[i]! * work[i]!;
    if (d === 0) throw new Error("singular tridiagonal matrix in the Newton iteration");
    b[i] = (b[i]! - lower[i]! * b[i - 1]!) / d;
  }
  for (let i = n - 2; i >= 0; i--) b[i]! -= work[i + 1]! * b[i + 1]!;
}
