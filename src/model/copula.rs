//! The Gaussian copula over correlated inputs, the factor of the revenue segments' correlated
//! shocks, and the factorisation of a correlation matrix that both use.
//!
//! Both hold a dense factor over the correlated members only: a scenario may correlate at
//! most [`MAX_CORRELATED`] inputs and as many segments, so neither grows with the square of
//! the scenario's size.

use nalgebra::{DMatrix, SymmetricEigen};

/// The Gaussian copula over the correlated inputs.
#[derive(Debug, Clone)]
pub struct Copula {
    /// Indices in [`crate::model::Model::inputs`] of the inputs in the copula.
    pub members: Vec<usize>,
    /// Factor A (row-major m×m, m members) with A·Aᵀ = C: z = A·ε.
    pub factor: Vec<f64>,
}

/// Most inputs the `[[correlations]]` may correlate, and most segments the
/// `[[revenue_correlations]]` may: the factor over them is dense (m² numbers, m³/3 operations
/// to compute, m² per trial to apply), so this bounds its cost; real scenarios correlate a
/// handful.
pub const MAX_CORRELATED: usize = 500;

/// The factor of the revenue segments' correlated shocks, stored by row and only where it can
/// be non-zero: a segment in no `[[revenue_correlations]]` pair keeps its own shock (its row
/// is `[(i, 1)]`), and the segments in some pair share the factor of their correlation matrix.
/// What is stored grows with the number of segments, plus the square of the correlated ones
/// (at most [`MAX_CORRELATED`]), never with the square of all of them.
#[derive(Debug, Clone)]
pub struct ShockFactor {
    /// Row i of the factor is `terms[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    /// The rows' terms (j, a_ij), j increasing within a row.
    terms: Vec<(usize, f64)>,
}

impl ShockFactor {
    /// The factor over `m` segments from that of the correlated `members` (increasing segment
    /// indices; `a` row-major, `members.len()` squared).
    pub(super) fn new(m: usize, members: &[usize], a: &[f64]) -> ShockFactor {
        let k = members.len();
        let mut starts = Vec::with_capacity(m + 1);
        let mut terms = Vec::with_capacity(m + k * k);
        let mut next = members.iter().copied().enumerate().peekable();
        for i in 0..m {
            starts.push(terms.len());
            match next.next_if(|&(_, s)| s == i) {
                Some((p, _)) => terms.extend(
                    members
                        .iter()
                        .copied()
                        .zip(a[p * k..(p + 1) * k].iter().copied()),
                ),
                None => terms.push((i, 1.0)),
            }
        }
        starts.push(terms.len());
        ShockFactor { starts, terms }
    }

    /// Row `i`: the terms (j, a_ij) of z_i = Σ_j a_ij·n_j, in increasing j.
    #[inline]
    pub fn row(&self, i: usize) -> &[(usize, f64)] {
        &self.terms[self.starts[i]..self.starts[i + 1]]
    }

    /// How many coefficients are stored.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether no coefficient is stored (a model without segments).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// The factor A with A·Aᵀ = C (row-major): Cholesky when C is positive definite, else the
/// symmetric eigen-decomposition (C positive semi-definite). `Err` carries the smallest
/// eigenvalue and the eigenvector that shows which variables conflict.
pub(super) fn factorize(c: DMatrix<f64>) -> Result<Vec<f64>, (f64, Vec<f64>)> {
    let m = c.nrows();
    if let Some(ch) = c.clone().cholesky() {
        let l = ch.l();
        return Ok((0..m)
            .flat_map(|i| (0..m).map(move |j| (i, j)))
            .map(|(i, j)| l[(i, j)])
            .collect());
    }
    let eig = SymmetricEigen::new(c);
    let (min_i, min_val) = eig
        .eigenvalues
        .iter()
        .copied()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((0, 0.0));
    if min_val < -1e-9 {
        return Err((
            min_val,
            eig.eigenvectors.column(min_i).iter().copied().collect(),
        ));
    }
    let mut a = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..m {
            a[i * m + j] = eig.eigenvectors[(i, j)] * eig.eigenvalues[j].max(0.0).sqrt();
        }
    }
    Ok(a)
}

/// The m×m correlation matrix with 1 on the diagonal and `rho` at (a, b) and (b, a) for
/// each pair; a later pair on the same cells overwrites an earlier one.
pub(super) fn correlation_matrix(
    m: usize,
    pairs: impl IntoIterator<Item = (usize, usize, f64)>,
) -> DMatrix<f64> {
    let mut c = DMatrix::<f64>::identity(m, m);
    for (a, b, rho) in pairs {
        c[(a, b)] = rho;
        c[(b, a)] = rho;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_reproduces_matrix_and_rejects_non_psd() {
        let c = DMatrix::from_row_slice(2, 2, &[1.0, 0.7, 0.7, 1.0]);
        let a = factorize(c).unwrap_or_default();
        assert!((a[2] * a[0] + a[3] * a[1] - 0.7).abs() < 1e-12);
        // Perfect correlation is PSD but singular: still factorable.
        let c = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 1.0]);
        assert!(factorize(c).is_ok());
        let c = DMatrix::from_row_slice(3, 3, &[1.0, 0.9, 0.9, 0.9, 1.0, -0.9, 0.9, -0.9, 1.0]);
        assert!(factorize(c).is_err());
    }

    #[test]
    fn correlation_matrix_is_symmetric_with_unit_diagonal() {
        let c = correlation_matrix(3, [(0, 2, 0.4), (1, 0, -0.2)]);
        assert_eq!(c[(0, 2)], 0.4);
        assert_eq!(c[(2, 0)], 0.4);
        assert_eq!(c[(0, 1)], -0.2);
        assert_eq!(c[(1, 0)], -0.2);
        assert_eq!(c[(1, 1)], 1.0);
        assert_eq!(c[(1, 2)], 0.0);
    }
}
