//! The Gaussian copula over correlated inputs, and the factorisation of a correlation matrix
//! (also used for the revenue segments' shocks).

use nalgebra::{DMatrix, SymmetricEigen};

/// The Gaussian copula over the correlated inputs.
#[derive(Debug, Clone)]
pub struct Copula {
    /// Indices in [`crate::model::Model::inputs`] of the inputs in the copula.
    pub members: Vec<usize>,
    /// Factor A (row-major m×m, m members) with A·Aᵀ = C: z = A·ε.
    pub factor: Vec<f64>,
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
